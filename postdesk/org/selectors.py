"""Reads about units and staff, and the scope rule every other app filters by.

Scope rule (enforced in selectors and services, not in templates):
- administrators, and agents, team leads and directors of the city centre: everything;
- agents, team leads and directors of a county bureau (its own 11185 centre): the units
  of that county bureau's subtree;
- unit handlers: their own unit and the units below it;
- auditors (审计员): no unit at all, wherever their home unit is — they read the access
  log (`org.rules.can_view_access_log`), not the data it is about;
- a staff user without a unit: nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postdesk.core.errors import PermissionDenied, ValidationFailed
from postdesk.core.masking import mask_name
from postdesk.core.models import AccessLogEntry
from postdesk.core.paging import page_start
from postdesk.core.periods import local_midnight, parse_day
from postdesk.core.ttlcache import TTLCache
from postdesk.org.models import Role, Unit, UnitType, User
from postdesk.org.rules import can_view_access_log

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
    if user.role == Role.AUDITOR or user.unit is None:
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


# ------------------------------------------------------------------ the access log

ACCESS_LOG_PAGE_SIZE = 50
MAX_USERNAME = 150  # the user model's field
MAX_SUBJECT_ID = 64  # AccessLogEntry.subject_id
_SUBJECT_TYPE = re.compile(r"[a-z][a-z0-9_]{0,49}")

#: what each app writes as `subject_type` (their `SUBJECT_TYPE` constants), in the
#: reader's words; the access log's own export is `access_log`
SUBJECT_TYPES: dict[str, str | Promise] = {
    "customer": gettext_lazy("customer"),
    "work_order": gettext_lazy("work order"),
    "notice": gettext_lazy("notice"),
    "access_log": gettext_lazy("access log"),
}
#: labels written in full when the view or export was logged (a customer's name); the
#: others were masked at that time already (a work order's or a notice's caller)
_FULL_LABELS = frozenset({"customer"})


@dataclass(frozen=True)
class AccessLogFilters:
    """The access log's filters, parsed (`access_log_filters`); empty means any."""

    user: str = ""
    subject_type: str = ""
    subject_id: str = ""
    what: str = ""
    day_from: date | None = None
    day_to: date | None = None

    def describe(self) -> str:
        """The filters as `name=value` words (the export's own access-log entry)."""
        parts = [
            ("user", self.user),
            ("subject_type", self.subject_type),
            ("subject_id", self.subject_id),
            ("what", self.what),
            ("from", self.day_from.isoformat() if self.day_from else ""),
            ("to", self.day_to.isoformat() if self.day_to else ""),
        ]
        return " ".join(f"{name}={value}" for name, value in parts if value)


def access_log_filters(
    *,
    user: str = "",
    subject_type: str = "",
    subject_id: str = "",
    what: str = "",
    day_from: str = "",
    day_to: str = "",
) -> AccessLogFilters:
    """Parse the filters as a page or a client gives them; every bad one is named in one
    400 (`fields`: user, subject_type, subject_id, what, from, to)."""
    fields: dict[str, str] = {}
    user, subject_type, subject_id = user.strip(), subject_type.strip(), subject_id.strip()
    if len(user) > MAX_USERNAME or not user.isprintable():
        fields["user"] = _("Give a user name of at most %(max)d characters.") % {
            "max": MAX_USERNAME
        }
    if subject_type and not _SUBJECT_TYPE.fullmatch(subject_type):
        fields["subject_type"] = _("Unknown kind of record.")
    if len(subject_id) > MAX_SUBJECT_ID or not subject_id.isprintable():
        fields["subject_id"] = _("Give a record number of at most %(max)d characters.") % {
            "max": MAX_SUBJECT_ID
        }
    what = what.strip()
    if what and what not in AccessLogEntry.What.values:
        fields["what"] = _("Choose a full view or an export.")
    first = last = None
    for name, text in (("from", day_from), ("to", day_to)):
        if not (text or "").strip():
            continue
        try:
            day = parse_day(text, field=name)
        except ValidationFailed as exc:
            fields.update({key: str(value) for key, value in exc.fields.items()})
            continue
        if name == "from":
            first = day
        else:
            last = day
    if first and last and last < first:
        fields["to"] = _("The period ends before it begins.")
    if fields:
        raise ValidationFailed(fields=fields)
    return AccessLogFilters(
        user=user,
        subject_type=subject_type,
        subject_id=subject_id,
        what=what,
        day_from=first,
        day_to=last,
    )


def access_log_entries(*, user: User, filters: AccessLogFilters) -> QuerySet[AccessLogEntry]:
    """The access log as `user` may read it (administrators and auditors; anyone else a
    403), filtered, newest first."""
    if not can_view_access_log(user):
        raise PermissionDenied(_("Only administrators and auditors read the access log."))
    entries = AccessLogEntry.objects.all()
    if filters.user:
        entries = entries.filter(actor_username=filters.user)
    if filters.subject_type:
        entries = entries.filter(subject_type=filters.subject_type)
    if filters.subject_id:
        entries = entries.filter(subject_id=filters.subject_id)
    if filters.what:
        entries = entries.filter(what=filters.what)
    if filters.day_from:
        entries = entries.filter(at__gte=local_midnight(filters.day_from))
    if filters.day_to:
        entries = entries.filter(at__lt=local_midnight(filters.day_to + timedelta(days=1)))
    return entries.order_by("-at", "-id")


@dataclass(frozen=True)
class AccessLogPage:
    count: int
    page: int
    page_size: int
    results: list[AccessLogEntry]


def access_log_list(
    *,
    user: User,
    filters: AccessLogFilters,
    page: int = 1,
    page_size: int = ACCESS_LOG_PAGE_SIZE,
) -> AccessLogPage:
    """One page of the access log (`core.paging`: a page past the bound is a 400)."""
    page = max(page, 1)
    entries = access_log_entries(user=user, filters=filters)
    start = page_start(page, page_size)
    return AccessLogPage(
        count=entries.count(),
        page=page,
        page_size=page_size,
        results=list(entries[start : start + page_size]),
    )


def access_log_subject_type_label(subject_type: str) -> str:
    return str(SUBJECT_TYPES.get(subject_type, subject_type))


def access_log_label(entry: AccessLogEntry) -> str:
    """What the log shows of the record looked at: masked — the log names whose data was
    seen, it does not show it again. An export of the log itself shows its filters."""
    if entry.subject_type in _FULL_LABELS:
        return mask_name(entry.subject_label)
    if entry.subject_type == "access_log":
        return _words(entry.subject_label)
    return entry.subject_label


#: the words the apps write in `detail` (and the log's export in its label), for a reader
_DETAILS: dict[str, str | Promise] = {
    "caller": gettext_lazy("the caller"),
    "contact": gettext_lazy("the contact"),
}
_KEYS: dict[str, str | Promise] = {
    "user": gettext_lazy("user"),
    "subject_type": gettext_lazy("kind of record"),
    "subject_id": gettext_lazy("record number"),
    "what": gettext_lazy("access"),
    "from": gettext_lazy("from"),
    "to": gettext_lazy("to"),
    "rows": gettext_lazy("rows"),
    "q": gettext_lazy("search"),
}


def _words(text: str) -> str:
    """`user=agent1 rows=3` in the reader's words (`用户=agent1 行数=3`)."""
    words = []
    for word in text.split(" "):
        key, sep, value = word.partition("=")
        words.append(f"{_KEYS[key]}={value}" if sep and key in _KEYS else word)
    return " ".join(words)


def access_log_detail(entry: AccessLogEntry) -> str:
    if entry.detail in _DETAILS:
        return str(_DETAILS[entry.detail])
    return _words(entry.detail)
