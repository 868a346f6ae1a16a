"""What the public may read: a parcel's public events and a request's public milestones.

Nothing here returns a staff name, an operator, a signer, an internal note, a unit's
internal phone or anybody's personal data: each answer is built field by field from an
allow-list, never from a model's whole row.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from postdesk.core.errors import NotFound, ValidationFailed
from postdesk.portal import public_sql
from postdesk.portal.typo import likely_typo_positions, swapped_neighbours
from postdesk.tracking.waybill import WaybillError, normalize_waybill, validate_waybill
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.public_ref import format_public_ref, parse_public_ref

HOTLINE = "11185"

# code → (Chinese, English): what the public reads for each tracking event
EVENT_LABELS: dict[str, tuple[str, str]] = {
    "ACCEPTED": ("收寄", "Accepted"),
    "DEPARTED": ("离开处理中心", "Left the sorting centre"),
    "ARRIVED": ("到达", "Arrived"),
    "CUSTOMS": ("海关处理中", "At customs"),
    "HELD": ("暂存待处理", "Held"),
    "OUT_FOR_DELIVERY": ("安排投递", "Out for delivery"),
    "AWAITING_PICKUP": ("待自取", "Awaiting pickup"),
    "DELIVERED": ("妥投", "Delivered"),
    "DELIVERY_FAILED": ("未妥投", "Not delivered"),
    "RETURNED": ("退回", "Returned"),
    "INFO": ("信息更新", "Update"),
}

# work-order status → the public's status (code, Chinese, English)
PUBLIC_STATUS: dict[str, tuple[str, str, str]] = {
    "new": ("received", "已受理", "Received"),
    "pending_callback": ("received", "已受理", "Received"),
    "dispatched": ("processing", "处理中", "Being handled"),
    "returned": ("processing", "处理中", "Being handled"),
    "processing": ("processing", "处理中", "Being handled"),
    "fed_back": ("processing", "处理中", "Being handled"),
    "replied": ("replied", "已回复", "Replied"),
    "fulfilled": ("closed", "已办结", "Closed"),
    "failed": ("closed", "已办结", "Closed"),
    "closed": ("closed", "已办结", "Closed"),
    "cancelled": ("cancelled", "已撤销", "Cancelled"),
}


def _zh() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def _pick(pair: tuple[str, str]) -> str:
    return pair[0] if _zh() else pair[1]


@dataclass(frozen=True, slots=True)
class PublicEvent:
    at: datetime
    code: str
    label: str
    office: str


@dataclass(frozen=True, slots=True)
class PublicTrack:
    waybill: str
    status: str  # the last event's code, "" when nothing is known
    status_label: str
    events: list[PublicEvent] = field(default_factory=list)
    hotline: str = HOTLINE


def waybill_check(raw: str) -> str:
    """The normalised number, or ValidationFailed naming `waybill` (with the likely typo
    positions when an S10 check digit is wrong)."""
    try:
        number, _kind = validate_waybill(raw[:40])
    except WaybillError as exc:
        number = normalize_waybill(raw[:40])
        positions = likely_typo_positions(number)
        if positions:
            msg = _typo_message(number, positions)
            raise ValidationFailed(msg, fields={"waybill": msg}) from None
        msg = (
            "运单号格式不对，请核对：国内邮件为13位（如 EA123456785CN）或10至20位字母数字。"
            if _zh()
            else "This is not a waybill number: please check it."
        )
        if exc.reason == "missing waybill number":
            msg = "请输入运单号。" if _zh() else "Enter a waybill number."
        raise ValidationFailed(msg, fields={"waybill": msg}) from None
    return number


def _typo_message(number: str, positions: list[int]) -> str:
    """Name the swapped neighbours when one swap explains the error, else the digits."""
    swap = swapped_neighbours(number)
    if swap:
        a, b = swap
        return (
            f"运单号校验位不符，请核对号码：可能是第 {a}、{b} 位数字顺序颠倒了。"
            if _zh()
            else f"The check digit does not match: digits {a} and {b} may be swapped."
        )
    first, last = min(positions), max(positions)
    return (
        f"运单号校验位不符，请核对号码：第 {first} 至 {last} 位数字中可能有一位输错了"
        f"（第 11 位是校验位）。"
        if _zh()
        else f"The check digit does not match: one of digits {first} to {last} is probably "
        f"mistyped (digit 11 is the check digit)."
    )


def public_track(*, raw: str) -> PublicTrack:
    """A parcel's public events, oldest first. Raises ValidationFailed for a malformed
    number; an unknown valid number answers an empty list (it may not be posted yet)."""
    number = waybill_check(raw)
    events: list[PublicEvent] = []
    side = 0 if _zh() else 1  # the label pair's Chinese or English (asked once)
    for at, code, office, reason in public_sql.track_rows(number):
        label = EVENT_LABELS.get(code, EVENT_LABELS["INFO"])[side]
        if code == "DELIVERY_FAILED" and reason:
            label = f"{label}（{reason[:60]}）" if side == 0 else f"{label} ({reason[:60]})"
        events.append(PublicEvent(at=at, code=code, label=label, office=office or ""))
    last = events[-1] if events else None
    return PublicTrack(
        waybill=number,
        status=last.code if last else "",
        status_label=_pick(EVENT_LABELS[last.code]) if last and last.code in EVENT_LABELS else "",
        events=events,
    )


@dataclass(frozen=True, slots=True)
class Milestone:
    at: datetime
    what: str


@dataclass(frozen=True, slots=True)
class PublicRequest:
    reference: str
    type: str
    type_label: str
    status: str
    status_label: str
    timeline: list[Milestone]
    reply: str
    can_rate: bool
    rated: bool
    due_at: datetime | None
    created_at: datetime | None = None


def _last4(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-4:]


def request_find(*, reference: str, phone_last4: str) -> WorkOrder:
    """The order with this reference whose phone ends with `phone_last4`; NotFound (the
    same answer) for an unknown reference and for wrong digits."""
    code = _ref_code(reference, phone_last4)
    order = WorkOrder.objects.filter(public_ref=code).first()
    _check_phone(order.caller_phone if order else "", phone_last4)
    if order is None:
        raise NotFound()  # (already raised by _check_phone: for the type checker)
    return order


def _ref_code(reference: str, phone_last4: str) -> str:
    code = parse_public_ref(reference or "")
    last4 = (phone_last4 or "").strip()
    if not code or len(last4) != 4 or not last4.isdigit():
        raise NotFound()
    return code


def _check_phone(caller_phone: str, phone_last4: str) -> None:
    """NotFound unless the phone (of an order found; "" when none) ends with the digits."""
    expected = _last4(caller_phone) if caller_phone else "----"
    if len(expected) != 4 or not hmac.compare_digest(expected, (phone_last4 or "").strip()):
        raise NotFound()


@dataclass(frozen=True, slots=True)
class _OrderRow:
    """The few fields of an order the public's view is built from (not a whole row):
    `public_sql.ORDER_FIELDS`, in their order."""

    pk: int
    public_ref: str
    type: str
    status: str
    caller_phone: str
    satisfaction: str
    reply_due_at: datetime | None
    due_at: datetime | None
    created_at: datetime | None


def request_public(*, reference: str, phone_last4: str) -> PublicRequest:
    """`public_request(request_find(...))` reading only the columns the public sees: the
    same NotFound for an unknown reference and wrong digits (following's hot path)."""
    code = _ref_code(reference, phone_last4)
    row = public_sql.order_row(code)
    _check_phone(row[4] if row else "", phone_last4)
    if row is None:
        raise NotFound()  # (already raised by _check_phone: for the type checker)
    return _public_view(_OrderRow(*row))


_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "complaint": ("投诉", "Complaint"),
    "suggestion": ("建议", "Suggestion"),
    "consultation": ("咨询", "Consultation"),
    "pickup": ("上门揽收", "Pickup request"),
    "query": ("查询", "Query"),
    "tracing": ("查询", "Query"),
    "booking": ("预约", "Booking"),
}


def type_label(code: str) -> str:
    """The public's word for a request's type, in the request's language."""
    return _pick(_TYPE_LABELS.get(code, ("诉求", "Request")))


@dataclass(frozen=True, slots=True)
class _Step:
    """The fields of a `WorkOrderEvent` the public's timeline is built from."""

    at: datetime
    action: str
    from_status: str
    to_status: str
    text: str
    data: dict[str, Any] | None
    unit_name: str | None


def _steps(order_id: int) -> list[_Step]:
    return [_Step(*row) for row in public_sql.step_rows(order_id)]


def _from_portal(ev: _Step) -> bool:
    return ev.action == "follow_up" and (ev.data or {}).get("source") == "portal"


def _milestone(ev: _Step) -> str | None:
    zh = _zh()
    if ev.action == "create":
        return "已受理您的诉求" if zh else "Received"
    if ev.action in {"dispatch", "transfer", "redispatch"} and ev.unit_name is not None:
        return f"已转交{ev.unit_name}办理" if zh else f"Passed to {ev.unit_name}"
    if ev.action == "reply":
        return "已答复" if zh else "Replied"
    if _from_portal(ev):
        if ev.to_status == "processing":
            return "已收到您的评价，重新办理中" if zh else "Rated; being handled again"
        return "已收到您的评价，已办结" if zh else "Rated; closed"
    if ev.action == "reopen" or (ev.action == "follow_up" and ev.to_status == "processing"):
        return "重新办理中" if zh else "Being handled again"
    if ev.to_status in {"closed", "fulfilled", "failed"} and ev.from_status != ev.to_status:
        return "已办结" if zh else "Closed"
    if ev.to_status == "cancelled" and ev.from_status != ev.to_status:
        return "已撤销" if zh else "Cancelled"
    return None


#: the deadline the public is told: the reply's, where the type has one
REPLIED_TYPES = frozenset({"complaint", "suggestion", "consultation"})


def public_due(order: WorkOrder | _OrderRow) -> datetime | None:
    """By when the public hears from us: the reply deadline (complaints, suggestions,
    consultations), else the step running now (a pickup: dispatched by, then confirmed
    by the office by)."""
    if order.type in REPLIED_TYPES and order.reply_due_at is not None:
        return order.reply_due_at
    return order.due_at


def public_request(order: WorkOrder) -> PublicRequest:
    """The public's view of an order: public milestones and the centre's reply text."""
    return _public_view(order)


def _public_view(order: WorkOrder | _OrderRow) -> PublicRequest:
    events = _steps(order.pk)
    timeline: list[Milestone] = []
    reply = ""
    for ev in events:
        what = _milestone(ev)
        if what:
            timeline.append(Milestone(at=ev.at, what=what))
        if ev.action == "reply":
            reply = ev.text
    code, zh, en = PUBLIC_STATUS.get(order.status, ("processing", "处理中", "Being handled"))
    rated = bool(order.satisfaction) or any(_from_portal(ev) for ev in events)
    return PublicRequest(
        reference=format_public_ref(order.public_ref),
        type=order.type,
        type_label=type_label(order.type),
        status=code,
        status_label=zh if _zh() else en,
        timeline=timeline,
        reply=reply,
        can_rate=order.status == "replied" and not rated,
        rated=rated,
        due_at=public_due(order),
        created_at=order.created_at,
    )


PHONE_HISTORY = timedelta(days=365)
PHONE_LIST_MAX = 50


def requests_of_phone(*, phone: str, now: datetime | None = None) -> list[PublicRequest]:
    """The public view of the requests made from `phone` (canonical) in the last 12
    months, newest first (at most `PHONE_LIST_MAX`). The caller proved the phone is theirs
    (`portal.otp`)."""
    since = (now or timezone.now()) - PHONE_HISTORY
    orders = WorkOrder.objects.filter(caller_phone=phone, created_at__gte=since).order_by(
        "-created_at", "-pk"
    )[:PHONE_LIST_MAX]
    return [public_request(order) for order in orders]
