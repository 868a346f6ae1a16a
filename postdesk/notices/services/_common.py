"""Helpers shared by the notice services (not an API of their own)."""

from __future__ import annotations

from django.utils import timezone

from postdesk.notices import flows
from postdesk.notices.models import Notice
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for

MAX_TEXT = 5000


def role_of(user: User) -> str:
    return Role.ADMIN if user.is_superuser else str(user.role)


def can_see(user: User, notice: Notice) -> bool:
    """A unit's handlers see the notices their unit (or one below it) has now; the
    centre's staff see what their scope covers, by the current or the first unit."""
    scope = scope_for(user=user)
    if scope.everything:
        return True
    if role_of(user) == Role.HANDLER:
        return scope.allows_unit(notice.unit_id)
    return scope.allows_unit(notice.unit_id) or scope.allows_unit(notice.issued_unit_id)


def acting_role(user: User, notice: Notice) -> str:
    """The role the flow table is asked about: a handler outside the notice's unit has
    none (it cannot act), an administrator runs the system and acts on no notice."""
    role = role_of(user)
    if role == Role.HANDLER and not scope_for(user=user).allows_unit(notice.unit_id):
        return ""
    return role


def handlers_of(unit_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.HANDLER, unit_id=unit_id, is_active=True))


def leads_for(notice: Notice) -> list[User]:
    """The team leads of the issuer's team, else every active lead who sees it."""
    if notice.issued_by is not None and notice.issued_by.unit_id is not None:
        leads = list(
            User.objects.filter(role=Role.LEAD, is_active=True, unit_id=notice.issued_by.unit_id)
        )
        if leads:
            return leads
    return [u for u in User.objects.filter(role=Role.LEAD, is_active=True) if can_see(u, notice)]


def window_text(notice: Notice) -> str:
    """The requested window as a customer reads it: 11月28日 14:00-16:00."""
    start, end = notice.window_start, notice.window_end
    if start is None and end is None:
        return "另行约定的时间"
    if start is not None and end is not None:
        a, b = timezone.localtime(start), timezone.localtime(end)
        tail = b.strftime("%H:%M") if a.date() == b.date() else f"{b.month}月{b.day}日 {b:%H:%M}"
        return f"{a.month}月{a.day}日 {a:%H:%M}-{tail}"
    moment = timezone.localtime(start or end)
    word = "起" if start is not None else "前"
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}{word}"


def kind_label(kind: str) -> str:
    return flows.label(flows.KINDS, kind)
