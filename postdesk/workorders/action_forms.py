"""The action forms of the order page, and what a refused action leaves for the next GET.

Every action ends in a redirect to the order (post/redirect/get). When the service
refuses, the view keeps the refusal and what the user wrote in the session
(:func:`failure_remember`); the order page takes it back once (:func:`failure_take`) and
shows each message beside its field, with the text still in the box. A reply refused by
the forbidden-phrase check shows the words marked and the suggested service phrase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from postdesk.core.errors import DomainError
from postdesk.knowledge.selectors import phrase_fill
from postdesk.knowledge.services import Finding, phrase_check
from postdesk.org.models import User
from postdesk.workorders import flows, labels, selectors
from postdesk.workorders.forms import unit_choices
from postdesk.workorders.models import WorkOrder

SESSION_KEY = "workorders.failed_action"
#: What the page keeps of a refused form (never files, never the CSRF token).
KEPT_FIELDS = frozenset(
    {
        "unit",
        "assisting_units",
        "text",
        "reason",
        "ruling",
        "satisfaction",
        "result",
        "waybill",
        "decision",
        "tag",
    }
)
MAX_KEPT = 5000

PRIMARY_ORDER = (
    "accept",
    "feedback",
    "reply",
    "follow_up",
    "answer",
    "dispatch",
    "fulfil",
    "close",
    "decide_appeal",
    "set_ruling",
)
#: Actions whose text goes to the customer: checked for forbidden phrases, phrases offered.
CUSTOMER_TEXT_ACTIONS = frozenset({"reply", "answer"})
#: Actions whose text box gets the service phrases and knowledge answers beside it.
PHRASE_ACTIONS = frozenset({"reply", "answer", "feedback", "follow_up"})


@dataclass(frozen=True)
class Failure:
    action: str
    code: str
    message: str
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def field_error(self, name: str) -> str:
        return self.fields.get(name, "")

    def unplaced(self, shown: set[str]) -> list[str]:
        """The messages that no field of the form shows: said at the top of the form."""
        return [m for k, m in self.fields.items() if k not in shown]


def failure_remember(
    request: HttpRequest,
    *,
    number: str,
    action: str,
    error: DomainError,
    values: dict[str, Any],
) -> None:
    kept = {
        k: (v[:MAX_KEPT] if isinstance(v, str) else [str(i)[:40] for i in v][:20])
        for k, v in values.items()
        if k in KEPT_FIELDS and isinstance(v, str | list)
    }
    request.session[SESSION_KEY] = {
        "number": number,
        "action": action,
        "code": error.code,
        "message": str(error.message),
        "fields": {k: str(v) for k, v in error.fields.items()},
        "values": kept,
    }


def failure_take(request: HttpRequest, *, number: str) -> Failure | None:
    """The refusal kept for this order, once (a reload shows the order afresh)."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("number") != number:
        return None
    del request.session[SESSION_KEY]
    return Failure(
        action=str(stored.get("action", "")),
        code=str(stored.get("code", "")),
        message=str(stored.get("message", "")),
        fields=dict(stored.get("fields") or {}),
        values=dict(stored.get("values") or {}),
    )


def phrase_values(user: User, order: WorkOrder) -> dict[str, str]:
    """What fills a service phrase's placeholders on this order's page."""
    return {
        "工号": user.agent_no,
        "工单号": order.number,
        "姓氏": (order.caller_name or "").strip()[:1],
    }


@dataclass(frozen=True)
class Marked:
    """A refused text cut into plain pieces and the marked (forbidden) ones."""

    pieces: list[tuple[str, Finding | None]]
    findings: list[Finding]


def marked_text(text: str, values: dict[str, str]) -> Marked:
    findings = phrase_check(text=text)
    pieces: list[tuple[str, Finding | None]] = []
    at = 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < at:
            continue  # overlapping findings: the first one is marked
        if finding.start > at:
            pieces.append((text[at : finding.start], None))
        pieces.append((text[finding.start : finding.end], finding))
        at = finding.end
    if at < len(text):
        pieces.append((text[at:], None))
    filled = [
        Finding(f.text, f.kind, f.reason, f.start, f.end, phrase_fill(f.suggestion, values))
        for f in findings
    ]
    return Marked(pieces=pieces, findings=filled)


def _field_labels() -> dict[str, str]:
    return {
        "unit": _("Unit"),
        "text": _("Text"),
        "reason": _("Reason"),
        "ruling": _("Responsibility ruling"),
        "satisfaction": _("Satisfaction"),
        "result": _("Result"),
        "waybill": _("Waybill number"),
        "decision": _("Decision"),
    }


def action_forms(
    user: User, order: WorkOrder, failure: Failure | None = None
) -> list[dict[str, Any]]:
    """One small form per allowed action, its fields from the state machine; a refused
    one comes back with its values and its messages beside the fields."""
    forms = []
    units = None
    field_labels = _field_labels()
    values = phrase_values(user, order)
    for action in selectors.work_order_allowed_actions(user=user, order=order):
        failed = failure if failure is not None and failure.action == action else None
        kept = failed.values if failed else {}
        hint = flows.hint_field(order.type, action)
        fields = list(flows.required_fields(order.type, action))
        for name in ("text", "reason"):
            cond = flows.required_fields(
                order.type, action, "dissatisfied"
            ) + flows.required_fields(order.type, action, "failed")
            if name in cond and name not in fields:
                fields.append(name)
        if action in PHRASE_ACTIONS and "text" not in fields:
            fields.append("text")
        if action == "decide_appeal" and "ruling" not in fields:
            fields.append("ruling")
        spec = []
        for name in fields:
            choices = [
                (c, zh if labels.lang() == "zh" else en)
                for c, zh, en in flows.choices_for(order.type, action, name)
            ]
            if name == "unit":
                units = units or unit_choices(
                    selectors.dispatch_suggestions(
                        waybill_no=order.waybill_no,
                        customer_id=order.customer_id,
                        address=str((order.details or {}).get("address", "")),
                    )
                )
                choices = units
            marked = None
            if (
                failed is not None
                and failed.code == "phrase_flagged"
                and name == "text"
                and isinstance(kept.get("text"), str)
            ):
                marked = marked_text(kept["text"], values)
            spec.append(
                {
                    "name": name,
                    "choices": choices,
                    "required": name in flows.required_fields(order.type, action),
                    "label": field_labels.get(name, name),
                    "value": kept.get(name, ""),
                    "error": failed.field_error(name) if failed else "",
                    "marked": marked,
                    "phrases": action in PHRASE_ACTIONS and name == "text",
                }
            )
        forms.append(
            {
                "action": action,
                "label": labels.action_label(action, order.type),
                "fields": spec,
                "hint": hint,
                "assisting": action == "dispatch",
                "assisting_value": ", ".join(kept.get("assisting_units") or [])
                if isinstance(kept.get("assisting_units"), list)
                else kept.get("assisting_units", ""),
                "assisting_error": failed.field_error("assisting_units") if failed else "",
                "danger": action in {"cancel", "return"},
                "primary": False,
                "failure": failed,
                "top_errors": failed.unplaced({f["name"] for f in spec} | {"assisting_units"})
                if failed
                else [],
                "confirm": failed is not None and failed.code == "phrase_flagged",
            }
        )
    # Open the step that moves the order forward; the others stay folded.
    for wanted in PRIMARY_ORDER:
        found = next((f for f in forms if f["action"] == wanted), None)
        if found is not None:
            found["primary"] = True
            break
    return forms
