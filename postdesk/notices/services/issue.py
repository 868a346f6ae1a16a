"""Issuing a notice: validation first (nothing written on bad input), then the number,
the row, its audit event, the unit's recipients and the outbox rows, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import PermissionDenied, ValidationFailed
from postdesk.core.phones import InvalidPhone, normalize_phone
from postdesk.notices import flows
from postdesk.notices.deadlines import deadlines_for
from postdesk.notices.models import Notice, NoticeCounter, NoticeEvent, NoticeRecipient
from postdesk.notices.services._common import (
    MAX_TEXT,
    handlers_of,
    kind_label,
    role_of,
    window_text,
)
from postdesk.notify.services import outbox_record, sms_send
from postdesk.org.models import Role, Unit, User
from postdesk.workorders.models import WorkOrder

ISSUER_ROLES = frozenset({Role.AGENT, Role.LEAD, Role.DIRECTOR})


@dataclass(frozen=True)
class NoticeInput:
    kind: str
    unit: Unit
    waybill_no: str
    phone: str
    name: str
    address: str
    window_start: datetime | None
    window_end: datetime | None
    text: str


def _route(address: str) -> Unit | None:
    """The unit the address router (`routing.selectors.route_address`) finds for
    `address` when it matches exactly one active unit; else None."""
    from postdesk.routing.selectors import route_address

    unit = route_address(address=address).unit
    return unit if unit is not None and unit.is_active else None


def _waybill(raw: str) -> str:
    from postdesk.tracking.waybill import OTHER_RE, S10_RE, normalize_waybill

    number = normalize_waybill(raw).replace(" ", "")
    if not (S10_RE.match(number) or OTHER_RE.match(number)):
        raise ValueError(number)
    return number


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def notice_validate(
    *,
    kind: str,
    unit: str | None,
    waybill_no: str,
    phone: str,
    name: str,
    address: str,
    window_start: datetime | None,
    window_end: datetime | None,
    text: str,
) -> NoticeInput:
    """Check everything a notice needs; ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    kind = (kind or "").strip()
    if not kind:
        errors["kind"] = _("This field is required.")
    elif not flows.is_code("kind", kind):
        errors["kind"] = _("Unknown kind of notice.")
    number = ""
    if (waybill_no or "").strip():
        try:
            number = _waybill(waybill_no)
        except ValueError:
            errors["waybill_no"] = _("This is not a valid waybill number.")
    elif kind and flows.is_code("kind", kind) and flows.needs_waybill(kind):
        errors["waybill_no"] = _("This kind of notice needs the item's waybill number.")
    canonical = ""
    if (phone or "").strip():
        try:
            canonical = normalize_phone(
                phone, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE
            )
        except InvalidPhone:
            errors["phone"] = _("Enter a valid phone number.")
    start, end = _aware(window_start), _aware(window_end)
    if start is not None and end is not None and end <= start:
        errors["window_end"] = _("The window must end after it starts.")
    for field, value, limit in (
        ("name", name, 100),
        ("address", address, 300),
        ("text", text, MAX_TEXT),
    ):
        if len(value or "") > limit:
            errors[field] = _("This value is too long.")
    target: Unit | None = None
    code = (unit or "").strip()
    if code:
        target = Unit.objects.filter(code=code, is_active=True).first()
        if target is None:
            errors["unit"] = _("Unknown or inactive unit.")
    elif (address or "").strip():
        target = _route(address.strip())
        if target is None:
            errors["unit"] = _("The address matches no single unit: choose the unit.")
    else:
        errors["unit"] = _("Give the unit, or an address it can be routed by.")
    if errors:
        raise ValidationFailed(fields=errors)
    assert target is not None
    return NoticeInput(
        kind=kind,
        unit=target,
        waybill_no=number,
        phone=canonical,
        name=(name or "").strip(),
        address=(address or "").strip(),
        window_start=start,
        window_end=end,
        text=(text or "").strip(),
    )


def _take_number(now: datetime) -> str:
    day = timezone.localtime(now).strftime("%Y%m%d")
    NoticeCounter.objects.get_or_create(day=day)
    NoticeCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = NoticeCounter.objects.filter(day=day).values_list("last", flat=True).get()
    return f"N{day}{last:05d}"


def tell_unit(notice: Notice, unit: Unit, now: datetime, leg: int) -> None:
    """The unit's handlers get the notice in-app (the "notice" channel marks each
    recipient delivered) and by e-mail; inside the caller's transaction."""
    people = handlers_of(unit.pk)
    if not people:
        return
    NoticeRecipient.objects.bulk_create(
        [NoticeRecipient(notice=notice, user=u, unit=unit, emailed=bool(u.email)) for u in people],
        ignore_conflicts=True,
    )
    title = _("Notice %(number)s for your unit: %(kind)s") % {
        "number": notice.number,
        "kind": kind_label(notice.kind),
    }
    due = timezone.localtime(notice.leg_due_at).strftime("%Y-%m-%d %H:%M")
    body = _("Feed back by %(due)s.") % {"due": due}
    outbox_record(
        key=f"notice:{notice.pk}:leg{leg}:inapp",
        channel="notice",
        payload={
            "notice_id": notice.pk,
            "user_ids": sorted(u.pk for u in people),
            "title": title,
            "body": body,
            "link": f"/notices/{notice.number}/",
        },
    )
    addresses = sorted({u.email for u in people if u.email})
    if addresses:
        outbox_record(
            key=f"notice:{notice.pk}:leg{leg}:email",
            channel="email",
            payload={
                "to": addresses,
                "subject": title,
                "body": f"{body}\n\n/notices/{notice.number}/",
            },
        )


def customer_sms(notice: Notice, moment: str, now: datetime) -> None:
    """The customer's SMS for this kind at this moment (flows.CUSTOMER_SMS), when the
    notice has a mobile number; inside the caller's transaction."""
    template = flows.CUSTOMER_SMS.get((notice.kind, moment))
    if template is None or not (notice.phone.startswith("+861") and len(notice.phone) == 14):
        return
    params: dict[str, Any] = {
        "unit": notice.unit.name,
        "window": window_text(notice),
        "number": notice.number,
        "waybill": notice.waybill_no or notice.number,
        "kind": kind_label(notice.kind),
        "reason": flows.label(flows.REASONS, notice.reason) if notice.reason else "其他原因",
    }
    sms_send(
        phone=notice.phone,
        template=template,
        params=params,
        key=f"notice:{notice.number}:{moment}",
        related=("notice", notice.number),
        now=now,
    )


def notice_issue(
    *,
    actor: User,
    kind: str,
    unit: str | None = None,
    waybill_no: str = "",
    phone: str = "",
    name: str = "",
    address: str = "",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    text: str = "",
    work_order: WorkOrder | None = None,
    call_id: str = "",
    now: datetime | None = None,
) -> Notice:
    """Issue a notice to a unit (the centre's staff: agents, leads, directors). The unit
    is the given code, else the address router's match. Returns the saved notice."""
    if role_of(actor) not in ISSUER_ROLES:
        raise PermissionDenied(_("Only the centre's staff issue notices."))
    data = notice_validate(
        kind=kind,
        unit=unit,
        waybill_no=waybill_no,
        phone=phone,
        name=name,
        address=address,
        window_start=window_start,
        window_end=window_end,
        text=text,
    )
    if len(call_id) > 100:
        raise ValidationFailed(fields={"call": _("This value is too long.")})
    now = now or timezone.now()
    with transaction.atomic():
        return issue_validated(
            actor=actor, data=data, work_order=work_order, call_id=call_id, now=now
        )


def issue_validated(
    *,
    actor: User | None,
    data: NoticeInput,
    work_order: WorkOrder | None,
    call_id: str,
    now: datetime,
) -> Notice:
    """The writes of an issue (inside the caller's transaction; checked input)."""
    due = deadlines_for(kind=data.kind, unit_id=data.unit.pk, start=now, window_end=data.window_end)
    notice = Notice.objects.create(
        number=_take_number(now),
        kind=data.kind,
        status="issued",
        unit=data.unit,
        issued_unit=data.unit,
        waybill_no=data.waybill_no,
        phone=data.phone,
        name=data.name,
        address=data.address,
        window_start=data.window_start,
        window_end=data.window_end,
        text=data.text,
        work_order=work_order,
        call_id=call_id or (work_order.call_id if work_order else ""),
        issued_by=actor,
        issued_at=now,
        ack_due_at=due.ack_due_at,
        due_at=due.due_at,
        leg_due_at=due.due_at,
        warn_at=due.warn_at,
    )
    NoticeEvent.objects.create(
        notice=notice,
        at=now,
        actor=actor,
        action="issue",
        to_status="issued",
        unit=data.unit,
        text=data.text[:MAX_TEXT],
        data={"work_order": work_order.number if work_order else None},
    )
    tell_unit(notice, data.unit, now, leg=1)
    customer_sms(notice, "issued", now)
    return notice
