"""Reads about units and staff, and the scope rule every other app filters by.

Scope rule (enforced in selectors and services, not in templates):
- administrators, and agents, team leads and directors of the city centre: everything;
- agents, team leads and directors of a county bureau (its own 11185 centre): the units
  of that county bureau's subtree;
- unit handlers: their own unit and the units below it;
- a staff user without a unit: nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from postdesk.core.ttlcache import TTLCache
from postdesk.org.models import Role, Unit, UnitType, User

SCOPE_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class Scope:
    role: str
    everything: bool
    unit_ids: frozenset[int]

    def allows_unit(self, unit_id: int | None) -> bool:
        return self.everything or (unit_id is not None and unit_id in self.unit_ids)


def unit_subtree_ids(*, unit: Unit) -> frozenset[int]:
    return frozenset(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def unit_ancestors(*, unit: Unit) -> list[Unit]:
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    by_id = Unit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def county_bureau_of(*, unit: Unit) -> Unit | None:
    for ancestor in reversed(unit_ancestors(unit=unit)):
        if ancestor.type == UnitType.COUNTY_BUREAU:
            return ancestor
    return None


# (role, superuser, unit id) → Scope. Cleared in this process whenever a unit or a user
# is saved (`org.apps`); another process sees an org change within SCOPE_CACHE_SECONDS.
_scopes: TTLCache[tuple[str, bool, int | None], Scope] = TTLCache(
    SCOPE_CACHE_SECONDS, max_size=2000
)


def scope_for(*, user: User) -> Scope:
    cached: Scope | None = getattr(user, "_postdesk_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        return _compute_scope(user)
    key = (user.role, bool(user.is_superuser), user.unit_id)
    found, scope = _scopes.get(key)
    if not found or scope is None:
        scope = _compute_scope(user)
        _scopes.put(key, scope)
    user._postdesk_scope = scope  # type: ignore[attr-defined]
    return scope


def scope_cache_clear() -> None:
    _scopes.clear()


def _compute_scope(user: User) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return Scope(role="", everything=False, unit_ids=frozenset())
    if user.role == Role.ADMIN or user.is_superuser:
        return Scope(role=Role.ADMIN, everything=True, unit_ids=frozenset())
    if user.unit is None:
        return Scope(role=user.role, everything=False, unit_ids=frozenset())
    if user.role == Role.HANDLER:
        return Scope(role=user.role, everything=False, unit_ids=unit_subtree_ids(unit=user.unit))
    county = county_bureau_of(unit=user.unit)
    if county is not None:
        return Scope(role=user.role, everything=False, unit_ids=unit_subtree_ids(unit=county))
    return Scope(role=user.role, everything=True, unit_ids=frozenset())


def units_visible(*, user: User) -> QuerySet[Unit]:
    scope = scope_for(user=user)
    units = Unit.objects.all()
    return units if scope.everything else units.filter(pk__in=scope.unit_ids)


def unit_by_code(*, code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def staff_by_extension(*, extension: str) -> User | None:
    return User.objects.filter(extension=extension, is_active=True).first()
