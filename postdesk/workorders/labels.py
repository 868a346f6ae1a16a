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
