"""How a task reads (pure): labels in the request's language, the masked contact."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from postdesk.callbacks import flows
from postdesk.core.masking import mask_name, mask_phone
from postdesk.core.phones import display_phone
from postdesk.workorders.labels import lang

if TYPE_CHECKING:
    from postdesk.callbacks.models import CallbackTask


def label(vocabulary: tuple[flows.Label, ...], code: str) -> str:
    return flows.label(vocabulary, code, lang())


def masked_phone(task: CallbackTask) -> str:
    return mask_phone(display_phone(task.phone))


def masked_name(task: CallbackTask) -> str:
    return mask_name(task.name)


def dial_number(phone: str) -> str:
    """What the agent's phone dials: the national form (a mobile's 11 digits, a fixed
    line with its 0 area code), from the canonical +86 form."""
    return display_phone(phone).replace("-", "")


def minutes_left(task: CallbackTask, now: datetime) -> int:
    return int((task.window_end - now).total_seconds() // 60)
