"""Who may do what in quality inspection: the `can_<verb>()` predicates (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postdesk.org.models import Role

if TYPE_CHECKING:
    from postdesk.org.models import User
    from postdesk.quality.models import Evaluation

INSPECTORS = frozenset({Role.LEAD, Role.DIRECTOR, Role.ADMIN})
DECIDERS = frozenset({Role.LEAD, Role.DIRECTOR, Role.ADMIN})


def role_of(user: User) -> str:
    return Role.ADMIN if user.is_superuser else str(user.role)


def can_manage_forms(user: User) -> bool:
    return role_of(user) in {Role.DIRECTOR, Role.ADMIN, Role.LEAD}


def can_inspect(user: User) -> bool:
    return role_of(user) in INSPECTORS


def is_subject(user: User, evaluation: Evaluation) -> bool:
    """The one evaluated: the agent, or (for a branch's reply) a handler of that unit."""
    if evaluation.agent_id is not None and evaluation.agent_id == user.pk:
        return True
    return (
        role_of(user) == Role.HANDLER
        and evaluation.unit_id is not None
        and evaluation.unit_id == user.unit_id
    )


def can_acknowledge(user: User, evaluation: Evaluation) -> bool:
    return (
        evaluation.calibration_id is None
        and evaluation.status == "open"
        and is_subject(user, evaluation)
    )


def can_appeal(user: User, evaluation: Evaluation, *, appealed: bool) -> bool:
    return (
        evaluation.calibration_id is None
        and not appealed
        and evaluation.status in {"open", "acknowledged"}
        and is_subject(user, evaluation)
    )


def can_decide(user: User, evaluation: Evaluation) -> bool:
    """A director, or a lead other than the inspector (never the one evaluated)."""
    role = role_of(user)
    if evaluation.status != "appealed" or is_subject(user, evaluation):
        return False
    if role in {Role.DIRECTOR, Role.ADMIN}:
        return True
    return role == Role.LEAD and user.pk != evaluation.inspector_id
