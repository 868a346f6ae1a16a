"""Internal reports that go up at once: an equipment fault to 运维部 (the seat out of order
until fixed), a major situation to the director (chased every 10 minutes until
acknowledged), a business lead to 市场经营部. The only writer of their `status` is
`internal_report_act`, by the table in `report_flows.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls.selectors import calls_visible
from postdesk.core.businesstime import STANDARD_OFFICE, DeadlineRule, compute_deadline
from postdesk.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from postdesk.core.phones import try_normalize_phone
from postdesk.notify.services import notify_users, sms_phone, sms_send
from postdesk.org.models import Role, Unit, User
from postdesk.org.selectors import scope_for, unit_ancestors
from postdesk.workforce import report_flows
from postdesk.workforce.models import InternalReport, InternalReportEvent, Seat
from postdesk.workorders.selectors import work_order_get

K = InternalReport.Kind
PREFIX: dict[str, str] = {"equipment_fault": "SB", "major_incident": "ZD", "sales_lead": "SJ"}
PRODUCTS = ("bulk_mail", "philately", "company_account", "logistics", "other")
CENTRE_ROLES = frozenset({Role.AGENT, Role.LEAD, Role.DIRECTOR, Role.ADMIN})


def _unit_by_code(code: str, what: str) -> Unit:
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise Conflict(
            _("The %(what)s (unit %(code)s) is not set up; ask an administrator.")
            % {"what": what, "code": code},
            code="not_configured",
        )
    return unit


def directors_for(*, reporter: User) -> tuple[Unit, list[User]]:
    """The director(s) a major situation goes to: those of the nearest unit above the
    reporter that has one (the centre's own director first), else any director."""
    directors = User.objects.filter(role=Role.DIRECTOR, is_active=True).select_related("unit")
    if reporter.unit is not None:
        for unit in reversed(unit_ancestors(unit=reporter.unit)):
            here = [d for d in directors if d.unit_id == unit.pk]
            if here:
                return unit, here
    anyone = [d for d in directors if d.unit is not None]
    if not anyone:
        raise Conflict(_("No director is set up to receive the report."), code="not_configured")
    first = anyone[0].unit
    assert first is not None
    return first, [d for d in anyone if d.unit_id == first.pk]


def unit_members(*, unit: Unit) -> list[User]:
    """Who works in a unit (and the units below): the people a report to it reaches."""
    return list(
        User.objects.filter(is_active=True, unit__path__startswith=unit.path).order_by("id")
    )


@dataclass(frozen=True)
class ReportInput:
    kind: str
    title: str
    text: str = ""
    seat: str = ""
    call: str = ""
    work_order: str = ""
    product: str = ""
    contact_phone: str = ""


def _clean(actor: User, data: ReportInput) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    if data.kind not in report_flows.KINDS:
        errors["kind"] = _("Choose equipment_fault, major_incident or sales_lead.")
    title = data.title.strip()
    if not title:
        errors["title"] = _("This field is required.")
    elif len(title) > 200:
        errors["title"] = _("This value is too long.")
    values["title"] = title
    values["text"] = data.text.strip()
    values["seat"] = None
    if data.seat.strip():
        seat = Seat.objects.filter(number=data.seat.strip()).first()
        if seat is None:
            errors["seat"] = _("No seat has this number.")
        values["seat"] = seat
    elif data.kind == K.EQUIPMENT_FAULT and not values["text"]:
        errors["seat"] = _("Name the seat, or say in the text where the fault is.")
    values["call"] = None
    if data.call.strip():
        call = calls_visible(user=actor).filter(call_id=data.call.strip()).first()
        if call is None:
            errors["call"] = _("No call with this id is visible to you.")
        values["call"] = call
    values["work_order_number"] = ""
    if data.work_order.strip():
        try:
            values["work_order_number"] = work_order_get(
                user=actor, number=data.work_order.strip()
            ).number
        except NotFound:
            errors["work_order"] = _("No work order with this number is visible to you.")
    values["product"] = ""
    values["contact_phone"] = ""
    if data.kind == K.SALES_LEAD:
        if data.product not in PRODUCTS:
            errors["product"] = _(
                "Choose bulk_mail, philately, company_account, logistics or other."
            )
        values["product"] = data.product
        phone = try_normalize_phone(
            data.contact_phone, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE
        )
        if phone is None:
            errors["contact_phone"] = _("Enter the contact's phone number.")
        values["contact_phone"] = phone or ""
    if errors:
        raise ValidationFailed(fields=errors)
    return values


def _deadline(kind: str, now: datetime) -> datetime | None:
    if kind == K.EQUIPMENT_FAULT:
        return now + timedelta(hours=settings.POSTDESK_EQUIPMENT_FAULT_HOURS)
    if kind == K.SALES_LEAD:
        rule = DeadlineRule(settings.POSTDESK_SALES_LEAD_WORKING_DAYS, "working_days")
        return compute_deadline(STANDARD_OFFICE, now, rule)
    return None


def _link(report: InternalReport) -> str:
    return f"/workforce/reports/{report.number}/"


def _notify(report: InternalReport, recipients: list[User], *, key: str, title: str) -> None:
    """In-app and e-mail to every recipient; for a major situation also an SMS to each
    whose direct phone is a mobile (urgent: not held through the quiet hours)."""
    notify_users(
        users=recipients,
        key=key,
        title=title,
        body=report.text[:500],
        link=_link(report),
        level="urgent" if report.kind == K.MAJOR_INCIDENT else "info",
        email=True,
    )
    if report.kind != K.MAJOR_INCIDENT:
        return
    for user in recipients:
        try:
            phone = sms_phone(user.phone)
        except ValidationFailed:
            continue  # no mobile on file for this director: in-app and e-mail only
        sms_send(
            phone=phone,
            template="major_incident",
            params={"number": report.number, "title": report.title[:60]},
            key=f"{key}:sms:{user.pk}",
            urgent=True,
            related=("internal_report", report.number),
        )


def internal_report_create(*, actor: User, data: ReportInput) -> InternalReport:
    """Record a report and send it where it goes, in one transaction (the notices after
    commit, through the outbox)."""
    if actor.role not in CENTRE_ROLES and not actor.is_superuser:
        raise PermissionDenied(_("Only the centre's staff report to the departments."))
    values = _clean(actor, data)
    now = timezone.now()
    if data.kind == K.EQUIPMENT_FAULT:
        unit = _unit_by_code(settings.POSTDESK_MAINTENANCE_UNIT, _("maintenance department"))
        recipients = unit_members(unit=unit)
    elif data.kind == K.SALES_LEAD:
        unit = _unit_by_code(settings.POSTDESK_MARKETING_UNIT, _("marketing department"))
        recipients = unit_members(unit=unit)
    else:
        unit, recipients = directors_for(reporter=actor)
    with transaction.atomic():
        report = InternalReport.objects.create(
            number="",
            kind=data.kind,
            status=report_flows.INITIAL[data.kind],
            unit=unit,
            reporter=actor,
            reporter_unit=actor.unit,
            due_at=_deadline(data.kind, now),
            last_chased_at=now if data.kind == K.MAJOR_INCIDENT else None,
            **values,
        )
        local = timezone.localtime(report.created_at)
        report.number = f"{PREFIX[data.kind]}{local:%Y%m%d}-{report.pk:04d}"
        InternalReport.objects.filter(pk=report.pk).update(number=report.number)
        InternalReportEvent.objects.create(
            report=report, actor=actor, action="create", to_status=report.status, text=report.title
        )
        label = report.get_kind_display()
        _notify(
            report,
            recipients,
            key=f"report:{report.number}:new",
            title=f"{label} {report.number}：{report.title}",
        )
    return report


def _may(actor: User, report: InternalReport, who: frozenset[str]) -> bool:
    if actor.is_superuser or actor.role == Role.ADMIN:
        return True
    if "director" in who and actor.role == Role.DIRECTOR:
        return True
    if "lead" in who and actor.role == Role.LEAD:
        return True
    return (
        "unit" in who
        and actor.unit is not None
        and scope_for(user=actor).allows_unit(report.unit_id)
        and actor.role == Role.HANDLER
    )


def can_act(*, user: User, report: InternalReport, action: str) -> bool:
    if report_flows.transition(report.kind, report.status, action) is None:
        return False
    return _may(user, report, report_flows.who_may(report.kind, action))


def internal_report_act(
    *,
    actor: User,
    report: InternalReport,
    action: str,
    text: str = "",
    expected_version: int | None = None,
) -> InternalReport:
    """Move a report through its short flow: version (409) → flow (409) → role (403)."""
    with transaction.atomic():
        locked = InternalReport.objects.select_for_update().get(pk=report.pk)
        if expected_version is not None and expected_version != locked.version:
            raise Conflict()
        new = report_flows.transition(locked.kind, locked.status, action)
        if new is None:
            raise InvalidTransition()
        if not _may(actor, locked, report_flows.who_may(locked.kind, action)):
            raise PermissionDenied()
        if len(text) > 2000:
            raise ValidationFailed(fields={"text": _("This value is too long.")})
        now = timezone.now()
        old = locked.status
        locked.status = new
        locked.version += 1
        fields = ["status", "version"]
        if locked.kind == K.MAJOR_INCIDENT and action == "acknowledge":
            locked.acknowledged_by = actor
            locked.acknowledged_at = now
            fields += ["acknowledged_by", "acknowledged_at"]
        if report_flows.is_final(locked.kind, new):
            locked.closed_at = now
            fields.append("closed_at")
        locked.save(update_fields=fields)
        InternalReportEvent.objects.create(
            report=locked, actor=actor, action=action, from_status=old, to_status=new, text=text
        )
        notify_users(
            users=[locked.reporter],
            key=f"report:{locked.number}:{locked.version}",
            title=f"{locked.get_kind_display()} {locked.number}：{locked.title}",
            body=text[:500],
            link=_link(locked),
        )
    return locked


def internal_reports_chase(*, now: datetime | None = None) -> int:
    """Notify the directors again of every major situation still unacknowledged whose
    last notice is older than the chase interval (10 minutes). Idempotent: each report
    is claimed by a conditional UPDATE, so two workers never chase it twice at once."""
    now = now or timezone.now()
    due_before = now - timedelta(seconds=settings.POSTDESK_MAJOR_INCIDENT_CHASE_SECONDS)
    candidates = list(
        InternalReport.objects.filter(
            kind=K.MAJOR_INCIDENT,
            acknowledged_at__isnull=True,
            status="reported",
            last_chased_at__lte=due_before,
        ).values_list("pk", "last_chased_at")
    )
    chased = 0
    for pk, last in candidates:
        with transaction.atomic():
            claimed = InternalReport.objects.filter(
                pk=pk, last_chased_at=last, acknowledged_at__isnull=True
            ).update(last_chased_at=now, chase_count=F("chase_count") + 1)
            if not claimed:
                continue
            report = InternalReport.objects.select_related("reporter", "unit").get(pk=pk)
            directors = [
                u for u in unit_members(unit=report.unit) if u.role == Role.DIRECTOR
            ] or directors_for(reporter=report.reporter)[1]
            InternalReportEvent.objects.create(
                report=report, action="chase", text=str(report.chase_count)
            )
            _notify(
                report,
                directors,
                key=f"report:{report.number}:chase:{report.chase_count}",
                title=_("Not yet acknowledged (reminder %(n)s): %(title)s")
                % {"n": report.chase_count, "title": f"{report.number} {report.title}"},
            )
            chased += 1
    return chased
