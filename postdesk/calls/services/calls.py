"""Writes about one call: wrap-up, the work orders opened from it, its customer."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.calls.events import CtiEvent
from postdesk.calls.models import (
    AgentState,
    Call,
    CallWorkOrder,
    WrapupCode,
)
from postdesk.calls.push import publish_on_commit
from postdesk.calls.services.ingest import cti_event_ingest
from postdesk.calls.services.states import agent_state_move, agent_states_lock
from postdesk.core.errors import InvalidTransition, NotFound, ValidationFailed
from postdesk.org.models import User

S = AgentState.State


def call_wrapup(*, actor: User, call: Call, code: str, note: str = "", finish: bool = True) -> Call:
    """The agent's wrap-up code (and note) for a call. `finish` also ends after-call work:
    the agent becomes ready and, when the PBX sent no wrapup, the call's wrap-up time is
    now (a wrapup event from the workbench, so the call is rebuilt as from the PBX)."""
    if call.agent_id != actor.pk and actor.role not in ("lead", "admin"):
        raise NotFound()
    code = code.strip()
    if not WrapupCode.objects.filter(code=code, is_active=True).exists():
        raise ValidationFailed(fields={"code": _("Choose a wrap-up code.")})
    if call.ended_at is None and finish:
        raise InvalidTransition(_("The call has not ended yet."))
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        locked.wrapup_code = code
        locked.wrapup_note = note.strip()[:500]
        locked.save(update_fields=["wrapup_code", "wrapup_note", "updated_at"])
        if finish and locked.wrapup_at is None:
            now = max(timezone.now(), locked.ended_at or timezone.now())
            event = CtiEvent(
                event="wrapup",
                call_id=locked.call_id,
                timestamp=now,
                agent=locked.agent_extension,
                source="workbench",
            )
            cti_event_ingest(event=event)
        elif finish and locked.agent_id == actor.pk:
            state = agent_states_lock({actor.pk: timezone.now()})[actor.pk]
            if state.state == S.AFTER_CALL and state.call_id == locked.pk:
                agent_state_move(state, S.READY, "", timezone.now(), None)
                publish_on_commit([(f"agent:{actor.pk}", {"type": "state", "state": S.READY})])
    locked.refresh_from_db()
    return locked


def call_link_work_order(*, call_id: str, work_order_number: str) -> bool:
    """Record that a work order was opened from a call (the work-order app calls this).
    Returns False when there is no such call; linking twice does nothing."""
    call = Call.objects.filter(call_id=call_id).first()
    if call is None and call_id.isdigit():
        call = Call.objects.filter(pk=int(call_id)).first()
    if call is None:
        return False
    CallWorkOrder.objects.get_or_create(call=call, work_order_number=work_order_number[:40])
    return True


def call_set_customer(*, call: Call, customer_id: int | None) -> None:
    Call.objects.filter(pk=call.pk).update(customer_id=customer_id)


DEFAULT_WRAPUP_CODES = [
    ("query", "查询"),
    ("consultation", "咨询"),
    ("complaint", "投诉"),
    ("suggestion", "建议"),
    ("pickup", "揽收"),
    ("booking", "订票/预订"),
    ("tracing", "查单"),
    ("transfer", "转接"),
    ("nuisance", "骚扰/误拨"),
    ("other", "其他"),
]


def wrapup_codes_ensure() -> int:
    """The default wrap-up codes (idempotent); returns how many were added."""
    existing = set(WrapupCode.objects.values_list("code", flat=True))
    rows = [
        WrapupCode(code=c, label=label, position=i)
        for i, (c, label) in enumerate(DEFAULT_WRAPUP_CODES)
        if c not in existing
    ]
    WrapupCode.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
