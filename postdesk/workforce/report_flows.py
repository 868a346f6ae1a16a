"""The short flows of the internal reports, as data (pure: no Django).

equipment fault 设备故障: reported → accepted → fixed | cannot fix (运维部 acts);
major situation 重大情况: reported → acknowledged (the director) → closed;
business lead 商机: new → contacted → won | lost (市场经营部 acts).

`ACTIONS[kind][action]` = (from statuses, to status, who may act). "unit" is a member of
the unit the report went to, "director" a director, "lead" a team lead; administrators
may always act.
"""

from __future__ import annotations

from typing import Final

INITIAL: Final[dict[str, str]] = {
    "equipment_fault": "reported",
    "major_incident": "reported",
    "sales_lead": "new",
}

STATUSES: Final[dict[str, tuple[str, ...]]] = {
    "equipment_fault": ("reported", "accepted", "fixed", "cannot_fix"),
    "major_incident": ("reported", "acknowledged", "closed"),
    "sales_lead": ("new", "contacted", "won", "lost"),
}

FINAL: Final[dict[str, frozenset[str]]] = {
    "equipment_fault": frozenset({"fixed", "cannot_fix"}),
    "major_incident": frozenset({"closed"}),
    "sales_lead": frozenset({"won", "lost"}),
}

Action = tuple[frozenset[str], str, frozenset[str]]

ACTIONS: Final[dict[str, dict[str, Action]]] = {
    "equipment_fault": {
        "accept": (frozenset({"reported"}), "accepted", frozenset({"unit"})),
        "fix": (frozenset({"reported", "accepted"}), "fixed", frozenset({"unit"})),
        "cannot_fix": (frozenset({"accepted"}), "cannot_fix", frozenset({"unit"})),
    },
    "major_incident": {
        "acknowledge": (frozenset({"reported"}), "acknowledged", frozenset({"director"})),
        "close": (frozenset({"acknowledged"}), "closed", frozenset({"director", "lead"})),
    },
    "sales_lead": {
        "contact": (frozenset({"new"}), "contacted", frozenset({"unit"})),
        "win": (frozenset({"new", "contacted"}), "won", frozenset({"unit"})),
        "lose": (frozenset({"new", "contacted"}), "lost", frozenset({"unit"})),
    },
}

#: Status labels in Chinese-first UI order (message ids are English; see services).
KINDS: Final = tuple(INITIAL)


def transition(kind: str, status: str, action: str) -> str | None:
    """The status `action` leads to from `status`, or None when it is not allowed."""
    spec = ACTIONS.get(kind, {}).get(action)
    if spec is None or status not in spec[0]:
        return None
    return spec[1]


def actions_from(kind: str, status: str) -> list[str]:
    """The actions allowed in `status`, in the table's order."""
    return [name for name, spec in ACTIONS.get(kind, {}).items() if status in spec[0]]


def who_may(kind: str, action: str) -> frozenset[str]:
    spec = ACTIONS.get(kind, {}).get(action)
    return spec[2] if spec is not None else frozenset()


def is_final(kind: str, status: str) -> bool:
    return status in FINAL.get(kind, frozenset())
