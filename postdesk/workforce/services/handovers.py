"""Shift handovers (交接班): the outgoing lead (or senior agent) records them; the next
shift's lead acknowledges once — never its own author — and anyone on the floor may
comment. Kept as a record and searchable (kind ``handover``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls.selectors import calls_visible
from postdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from postdesk.org.models import Role, User
from postdesk.workforce import search
from postdesk.workforce.models import Handover, HandoverComment, HandoverItem, Shift
from postdesk.workorders.selectors import work_order_get

AUTHOR_ROLES = frozenset({Role.AGENT, Role.LEAD, Role.DIRECTOR, Role.ADMIN})
ACK_ROLES = frozenset({Role.LEAD, Role.ADMIN})
MAX_ITEMS = 50
MAX_TEXT = 20_000


@dataclass(frozen=True)
class ItemInput:
    kind: str
    ref: str = ""
    text: str = ""


def can_acknowledge(*, user: User, handover: Handover) -> bool:
    return (
        (user.role in ACK_ROLES or user.is_superuser)
        and handover.author_id != user.pk
        and handover.acknowledged_at is None
    )


def _items(actor: User, items: list[ItemInput]) -> list[HandoverItem]:
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(fields={"items": _("At most 50 items.")})
    errors: dict[str, str] = {}
    rows = []
    kinds = set(HandoverItem.Kind.values)
    for index, item in enumerate(items):
        ref, text = item.ref.strip(), item.text.strip()
        name = f"items.{index}"
        if item.kind not in kinds:
            errors[f"{name}.kind"] = _("This value is not one of the allowed choices.")
            continue
        if len(ref) > 64:
            errors[f"{name}.ref"] = _("This value is too long.")
            continue
        if len(text) > 1000:
            errors[f"{name}.text"] = _("This value is too long.")
            continue
        if item.kind == HandoverItem.Kind.WORK_ORDER:
            try:
                ref = work_order_get(user=actor, number=ref).number
            except NotFound:
                errors[f"{name}.ref"] = _("No work order with this number is visible to you.")
                continue
        elif item.kind == HandoverItem.Kind.CALL and ref:
            if not calls_visible(user=actor).filter(call_id=ref).exists():
                errors[f"{name}.ref"] = _("No call with this id is visible to you.")
                continue
        elif item.kind == HandoverItem.Kind.NOTICE and not ref:
            errors[f"{name}.ref"] = _("Give the notice's number.")
            continue
        if not ref and not text:
            errors[f"{name}.text"] = _("This field is required.")
            continue
        rows.append(HandoverItem(kind=item.kind, ref=ref, text=text, position=index))
    if errors:
        raise ValidationFailed(fields=errors)
    return rows


def handover_create(*, actor: User, shift_code: str, text: str, items: list[ItemInput]) -> Handover:
    if actor.role not in AUTHOR_ROLES and not actor.is_superuser:
        raise PermissionDenied(_("Only the centre's staff hand over a shift."))
    if actor.unit_id is None:
        raise PermissionDenied(_("You belong to no team."))
    errors: dict[str, str] = {}
    shift = None
    if shift_code:
        shift = Shift.objects.filter(code=shift_code, is_active=True).first()
        if shift is None:
            errors["shift"] = _("No shift has this code.")
    text = text.strip()
    if len(text) > MAX_TEXT:
        errors["text"] = _("This value is too long.")
    if errors:
        raise ValidationFailed(fields=errors)
    rows = _items(actor, items)
    if not text and not rows:
        raise ValidationFailed(fields={"text": _("Write what the next shift must know.")})
    with transaction.atomic():
        handover = Handover.objects.create(
            number="", unit_id=actor.unit_id, shift=shift, author=actor, text=text
        )
        handover.number = f"JJ{timezone.localtime(handover.created_at):%Y%m%d}-{handover.pk:04d}"
        Handover.objects.filter(pk=handover.pk).update(number=handover.number)
        for row in rows:
            row.handover = handover
        HandoverItem.objects.bulk_create(rows)
        search.index_handover(handover, rows)
    return handover


def handover_acknowledge(*, actor: User, handover: Handover, comment: str = "") -> Handover:
    """The next shift's lead takes the handover over: once, and not its own author."""
    if len(comment) > 2000:
        raise ValidationFailed(fields={"comment": _("This value is too long.")})
    with transaction.atomic():
        locked = Handover.objects.select_for_update().get(pk=handover.pk)
        if locked.author_id == actor.pk:
            raise PermissionDenied(
                _("You wrote this handover; the next shift's lead acknowledges it."),
                code="own_handover",
            )
        if actor.role not in ACK_ROLES and not actor.is_superuser:
            raise PermissionDenied(_("The next shift's lead acknowledges a handover."))
        if locked.acknowledged_at is not None:
            raise Conflict(
                _("Already acknowledged by %(who)s.") % {"who": locked.acknowledged_by},
                code="already_acknowledged",
            )
        locked.acknowledged_by = actor
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
        if comment.strip():
            HandoverComment.objects.create(handover=locked, author=actor, text=comment.strip())
    return locked


def handover_comment(*, actor: User, handover: Handover, text: str) -> HandoverComment:
    text = text.strip()
    if not text:
        raise ValidationFailed(fields={"text": _("This field is required.")})
    if len(text) > 2000:
        raise ValidationFailed(fields={"text": _("This value is too long.")})
    if actor.role not in AUTHOR_ROLES and not actor.is_superuser:
        raise PermissionDenied()
    return HandoverComment.objects.create(handover=handover, author=actor, text=text)
