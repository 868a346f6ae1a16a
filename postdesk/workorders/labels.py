"""Labels of the state machine's codes in the request's language (flows.py keeps both)."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import get_language

from postdesk.workorders import flows


def lang() -> Literal["zh", "en"]:
    return "zh" if (get_language() or "zh-hans").startswith("zh") else "en"


def _pick(table: tuple[tuple[str, str, str], ...], code: str) -> str:
    for c, zh, en in table:
        if c == code:
            return zh if lang() == "zh" else en
    return code


def type_label(code: str) -> str:
    return _pick(flows.WORK_ORDER_TYPES, code)


def status_label(code: str) -> str:
    return _pick(flows.STATUSES, code)


def action_label(code: str, work_order_type: str | None = None) -> str:
    if code == "create":
        return "受理" if lang() == "zh" else "Intake"
    if code == "note":
        return "备注" if lang() == "zh" else "Note"
    if code == "assign":
        return "指派" if lang() == "zh" else "Assign"
    if code == "tag":
        return "添加标签" if lang() == "zh" else "Tag added"
    if code == "untag":
        return "移除标签" if lang() == "zh" else "Tag removed"
    if code == "sla_warning":
        return "时限预警" if lang() == "zh" else "Deadline warning"
    if code == "sla_breach":
        return "超时" if lang() == "zh" else "Deadline missed"
    if code == "sla_director":
        return "超时上报主任" if lang() == "zh" else "Overdue, director told"
    try:
        return flows.action_label(code, lang(), work_order_type)
    except ValueError:
        return code


def subtype_label(code: str) -> str:
    return _pick(flows.COMPLAINT_SUBTYPES, code) if code else ""


def choice_label(code: str) -> str:
    for table in (
        flows.RULINGS,
        flows.SATISFACTION,
        flows.PICKUP_RESULTS,
        flows.BOOKING_RESULTS,
        flows.APPEAL_DECISIONS,
        flows.RULING_STATES,
    ):
        for c, zh, en in table:
            if c == code:
                return zh if lang() == "zh" else en
    return code


def _detail_labels() -> dict[str, str]:
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    return {
        "address": _("Pickup address"),
        "window": _("Time window"),
        "item": _("Item details"),
        "booking_kind": _("Booking"),
        "booking_details": _("Booking details"),
        # timeline chips
        "unit": _("Unit"),
        "due_at": _("Due"),
        "level": _("escalation level"),
        "ruling": _("Responsibility ruling"),
        "satisfaction": _("Satisfaction"),
        "result": _("Result"),
        "decision": _("Decision"),
        "tracing": _("Tracing inquiry"),
        "assisting_units": _("assisting"),
        "phrase_flags": _("Sent despite the phrase check"),
        "parent": _("Linked order"),
        "assignee_name": _("Assignee"),
        "assignment_cleared": _("Assignment cleared"),
        "tag": pgettext("work order", "Tag"),
    }


def detail_label(key: str) -> str:
    """The label of a key of an order's details or of an event's data."""
    return _detail_labels().get(key, key)


def value_label(value: object) -> str:
    """A stored value as a person reads it: a choice's label, a local time for an ISO
    instant (never `2026-12-03T07:22:05+00:00`), a list joined."""
    from datetime import datetime

    from django.utils import timezone
    from django.utils.formats import date_format

    if isinstance(value, list | tuple):
        return "、".join(value_label(v) for v in value)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if not isinstance(value, str):
        return str(value)
    if len(value) >= 16 and value[4:5] == "-" and value[10:11] == "T":
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if timezone.is_naive(instant):
                instant = timezone.make_aware(instant)
            return date_format(timezone.localtime(instant), "Y-m-d H:i")
    booking = dict(_booking_kinds())
    return booking.get(value) or choice_label(value)


def _booking_kinds() -> list[tuple[str, str]]:
    from postdesk.workorders.forms import BOOKING_KINDS

    return [(code, str(label)) for code, label in BOOKING_KINDS]
