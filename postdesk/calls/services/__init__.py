"""Writes of the calls app: CTI tokens, event ingestion, agent states, wrap-up, and the
periodic housekeeping (stale calls and agents, retention)."""

from __future__ import annotations

from postdesk.calls.services.calls import (
    DEFAULT_WRAPUP_CODES,
    call_link_work_order,
    call_set_customer,
    call_wrapup,
    wrapup_codes_ensure,
)
from postdesk.calls.services.housekeeping import (
    PurgeResult,
    SweepResult,
    calls_purge_old,
    calls_sweep_stale,
)
from postdesk.calls.services.ingest import IngestResult, cti_event_ingest, cti_events_ingest
from postdesk.calls.services.lookups import (
    extension_cache_clear,
    number_is_blocked,
    zammad_event_resolve,
)
from postdesk.calls.services.states import MANUAL_STATES, agent_state_set
from postdesk.calls.services.tokens import (
    cti_token_authenticate,
    cti_token_create,
    cti_token_revoke,
)

__all__ = [
    "DEFAULT_WRAPUP_CODES",
    "MANUAL_STATES",
    "IngestResult",
    "PurgeResult",
    "SweepResult",
    "agent_state_set",
    "call_link_work_order",
    "call_set_customer",
    "call_wrapup",
    "calls_purge_old",
    "calls_sweep_stale",
    "cti_event_ingest",
    "cti_events_ingest",
    "cti_token_authenticate",
    "cti_token_create",
    "cti_token_revoke",
    "extension_cache_clear",
    "number_is_blocked",
    "wrapup_codes_ensure",
    "zammad_event_resolve",
]
