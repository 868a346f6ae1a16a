"""Writes of units and staff users."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from postdesk.core.errors import Conflict, ValidationFailed
from postdesk.org.models import Role, Unit, UnitChange, UnitType, User


def _path_for(unit: Unit, parent: Unit | None) -> str:
    return f"{parent.path if parent else '/'}{unit.pk}/"


def unit_create(
    *,
    code: str,
    name: str,
    type: str,
    parent: Unit | None = None,
    phone: str = "",
    contact_person: str = "",
    address: str = "",
) -> Unit:
    code = code.strip()
    if not code:
        raise ValidationFailed(fields={"code": _("A unit needs a code.")})
    if type not in UnitType.values:
        raise ValidationFailed(fields={"type": _("Unknown unit type.")})
    with transaction.atomic():
        if Unit.objects.filter(code=code).exists():
            raise ValidationFailed(fields={"code": _("This code is already in use.")})
        unit = Unit.objects.create(
            code=code,
            name=name.strip(),
            type=type,
            parent=parent,
            phone=phone,
            contact_person=contact_person,
            address=address,
        )
        unit.path = _path_for(unit, parent)
        unit.save(update_fields=["path"])
    return unit


def unit_move(*, unit: Unit, new_parent: Unit | None, actor: User | None = None) -> Unit:
    """Move a unit (and its subtree) under another parent, keeping its history."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationFailed(fields={"parent": _("A unit cannot move under itself.")})
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        old_parent = unit.parent
        old_path = unit.path
        new_path = _path_for(unit, new_parent)
        for row in Unit.objects.select_for_update().filter(path__startswith=old_path):
            row.path = new_path + row.path[len(old_path) :]
            row.save(update_fields=["path", "updated_at"])
        unit.refresh_from_db()
        unit.parent = new_parent
        unit.save(update_fields=["parent", "updated_at"])
        UnitChange.objects.create(
            unit=unit,
            actor=actor,
            field="parent",
            old_value=old_parent.code if old_parent else "",
            new_value=new_parent.code if new_parent else "",
        )
    return unit


def unit_set_active(*, unit: Unit, active: bool, actor: User | None = None) -> Unit:
    with transaction.atomic():
        if unit.is_active != active:
            UnitChange.objects.create(
                unit=unit,
                actor=actor,
                field="is_active",
                old_value=str(unit.is_active),
                new_value=str(active),
            )
            unit.is_active = active
            unit.save(update_fields=["is_active", "updated_at"])
    return unit


def staff_create(
    *,
    username: str,
    password: str | None,
    role: str,
    unit: Unit | None,
    display_name: str = "",
    agent_no: str = "",
    extension: str = "",
    email: str = "",
) -> User:
    if role not in Role.values:
        raise ValidationFailed(fields={"role": _("Unknown role.")})
    if role != Role.ADMIN and unit is None:
        raise ValidationFailed(fields={"unit": _("Staff need a home unit.")})
    extension = extension.strip()
    with transaction.atomic():
        if extension and User.objects.filter(extension=extension, is_active=True).exists():
            raise ValidationFailed(
                fields={"extension": _("This extension belongs to another active user.")}
            )
        try:
            user = User(
                username=username,
                role=role,
                unit=unit,
                display_name=display_name,
                agent_no=agent_no.strip(),
                extension=extension,
                email=email,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        except IntegrityError as exc:
            raise Conflict(_("This user name, agent number or extension is taken.")) from exc
    return user


def staff_set_language(*, user: User, language: str) -> User:
    if language not in {"zh-hans", "en"}:
        raise ValidationFailed(fields={"language": _("Unknown language.")})
    user.language = language
    user.save(update_fields=["language"])
    return user
