"""Writes of units and staff users; the access log's export (which writes to it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.csvimport import ImportReport, read_csv
from postdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from postdesk.core.models import AccessLogEntry
from postdesk.core.services import access_log_record
from postdesk.org.exports import CSV, XLSX, access_log_csv, access_log_xlsx
from postdesk.org.models import Role, Unit, UnitChange, UnitType, User
from postdesk.org.rules import can_import_units
from postdesk.org.selectors import AccessLogFilters, access_log_entries

#: the access log's own exports, in the access log
ACCESS_LOG_SUBJECT = "access_log"


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


UNIT_HEADER = ("code", "name", "type", "parent_code", "phone")


def _unit_row_error(values: dict[str, str]) -> str:
    if not values["code"]:
        return _("The unit code is empty.")
    if len(values["code"]) > 20 or any(ch.isspace() for ch in values["code"]):
        return _("A unit code has at most 20 characters and no spaces.")
    if not values["name"]:
        return _("The unit name is empty.")
    if len(values["name"]) > 100:
        return _("The unit name is longer than 100 characters.")
    if values["type"] not in UnitType.values:
        return _("Unknown unit type “%(type)s” (one of %(types)s).") % {
            "type": values["type"],
            "types": ", ".join(UnitType.values),
        }
    if len(values["phone"]) > 40:
        return _("The phone is longer than 40 characters.")
    if values["parent_code"] == values["code"]:
        return _("A unit cannot be its own parent.")
    return ""


def units_import(*, data: bytes, actor: User | None = None) -> ImportReport:
    """Import the org table (`code,name,type,parent_code,phone`): upsert by code.

    Rows may come in any order (a parent after its child). A bad line — unknown type,
    unknown parent, a loop of parents, a code given twice — is rejected with its line
    number and reason, and so are the lines below a rejected parent; the good lines are
    stored, all in one transaction. A second run of the same file changes nothing. A
    file that cannot be read (wrong header, not text) raises `ValidationFailed`.
    """
    if actor is not None and not can_import_units(actor):
        raise PermissionDenied(_("Only administrators import units."))
    records, encoding = read_csv(data, header=UNIT_HEADER)
    report = ImportReport(lines=len(records), encoding=encoding)
    pending: dict[str, tuple[int, dict[str, str]]] = {}
    rejected: dict[str, int] = {}  # code → line, of lines rejected before the parents
    for record in records:
        error = record.error or _unit_row_error(record.values)
        code = record.values.get("code", "")
        if not error and code in pending:
            error = _("The code %(code)s is already on line %(line)d.") % {
                "code": code,
                "line": pending[code][0],
            }
        if error:
            report.reject(record.line, error)
            if code:
                rejected.setdefault(code, record.line)
            continue
        pending[code] = (record.line, record.values)
    with transaction.atomic():
        units = {u.code: u for u in Unit.objects.select_for_update()}
        progress = True
        while pending and progress:
            progress = False
            for code, (line, v) in list(pending.items()):
                parent_code = v["parent_code"]
                if parent_code and parent_code in pending:
                    continue  # its parent first
                del pending[code]
                progress = True
                if parent_code and parent_code not in units:
                    if parent_code in rejected:
                        reason = _("Its parent %(code)s (line %(line)d) was rejected.") % {
                            "code": parent_code,
                            "line": rejected[parent_code],
                        }
                    else:
                        reason = _("There is no parent unit “%(code)s”.") % {"code": parent_code}
                    report.reject(line, reason)
                    rejected.setdefault(code, line)
                    continue
                parent = units[parent_code] if parent_code else None
                try:
                    with transaction.atomic():
                        _unit_upsert(units, code, v, parent, actor, report)
                except ValidationFailed as exc:
                    report.reject(line, " ".join(str(m) for m in exc.fields.values()))
                    rejected.setdefault(code, line)
        for code, (line, _values) in sorted(pending.items(), key=lambda item: item[1][0]):
            report.reject(line, _("The parents of %(code)s form a loop.") % {"code": code})
    report.errors.sort()
    return report


def _unit_upsert(
    units: dict[str, Unit],
    code: str,
    v: dict[str, str],
    parent: Unit | None,
    actor: User | None,
    report: ImportReport,
) -> None:
    unit = units.get(code)
    if unit is None:
        units[code] = unit_create(
            code=code, name=v["name"], type=v["type"], parent=parent, phone=v["phone"]
        )
        report.created += 1
        return
    changed = False
    if (unit.parent_id or None) != (parent.pk if parent else None):
        unit = unit_move(unit=unit, new_parent=parent, actor=actor)
        changed = True
    fields = {"name": v["name"], "type": v["type"], "phone": v["phone"]}
    updates = [name for name, value in fields.items() if getattr(unit, name) != value]
    for name in updates:
        if name == "name":
            UnitChange.objects.create(
                unit=unit, actor=actor, field="name", old_value=unit.name, new_value=v["name"]
            )
        setattr(unit, name, fields[name])
    if updates:
        unit.save(update_fields=[*updates, "updated_at"])
        changed = True
    units[code] = unit
    if changed:
        report.updated += 1
    else:
        report.unchanged += 1


# ------------------------------------------------------------------ the access log

ACCESS_LOG_EXPORT_LIMIT = 10_000
EXPORT_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    rows: int


def access_log_export(
    *, actor: User, filters: AccessLogFilters, format: str, ip: str | None = None
) -> ExportFile:
    """The filtered access log as a file (administrators and auditors), at most
    ACCESS_LOG_EXPORT_LIMIT rows (more: a 400 asking for narrower filters). The export
    is itself written to the access log: subject `access_log`, id the format, label the
    filters (`user=agent1 from=2026-12-01`), detail the rows written."""
    if format not in EXPORT_FORMATS:
        raise ValidationFailed(fields={"format": _("Choose CSV or Excel.")})
    entries = list(access_log_entries(user=actor, filters=filters)[: ACCESS_LOG_EXPORT_LIMIT + 1])
    if len(entries) > ACCESS_LOG_EXPORT_LIMIT:
        raise ValidationFailed(
            _("More than %(max)d entries: narrow the filters (a shorter period, one user).")
            % {"max": ACCESS_LOG_EXPORT_LIMIT},
            fields={"from": _("Choose a shorter period.")},
        )
    if format == "csv":
        content, content_type = access_log_csv(entries), CSV
    else:
        content, content_type = access_log_xlsx(entries), XLSX
    access_log_record(
        actor=actor,
        subject_type=ACCESS_LOG_SUBJECT,
        subjects=[(format, filters.describe())],
        what=AccessLogEntry.What.EXPORT,
        detail=f"rows={len(entries)}",
        ip=ip,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(
        content=content,
        content_type=content_type,
        filename=f"access-log-{stamp}.{format}",
        rows=len(entries),
    )
