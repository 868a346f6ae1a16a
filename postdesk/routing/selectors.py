"""Reads of the service-area table, and the router every app asks:

    route_address(*, address: str) -> RouteResult

`RouteResult.status` is "matched" (then `unit` is the `Unit` that serves the address),
"ambiguous" (`candidates` holds the units whose rules tie) or "unmatched"; `parsed` is
the address as read (`ParsedAddress`), `rule` the winning rule, `reason` why
(`rules.WON`, `TIE`, `NO_DISTRICT`, `UNCERTAIN_PLACE`, `NO_RULE`), and `.as_dict()` the
JSON of `POST /api/v1/routing/resolve`. An empty address, one longer than
`MAX_ADDRESS_LENGTH` or one with control characters raises `ValidationFailed` (field
`address`). The table is reference data, the same for every reader: the router takes no
user.

Each process keeps the table compiled in memory (`rules.RuleIndex`, with the active units
it names) and checks, with one primary-key read per question, whether the table's
version token changed since. The token is changed in the same transaction by every
write of the table (`services`) and by every save or delete of a unit (the receiver
`units_changed`, connected in `apps.py`), so no process answers from a stale copy.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postdesk.core.errors import PermissionDenied, ValidationFailed
from postdesk.core.ttlcache import TTLCache
from postdesk.org.models import Unit, User
from postdesk.routing.divisions import Gazetteer, gazetteer
from postdesk.routing.models import ServiceArea, TableVersion
from postdesk.routing.parsing import ParsedAddress, parse_address
from postdesk.routing.rules import Decision, Rule, RuleIndex, can_manage_routing, decide
from postdesk.routing.services import bump_version

MAX_ADDRESS_LENGTH = 200
REASON_LABELS = {
    "won": gettext_lazy("one rule fits the address best"),
    "tie": gettext_lazy("rules of several units fit the address equally well"),
    "no_district": gettext_lazy("the district cannot be told from the address"),
    "uncertain_place": gettext_lazy("a place name in the address fits several places"),
    "no_rule": gettext_lazy("no service-area rule covers the address"),
}


def reason_label(code: str) -> str:
    """The router's reason in the reader's language (an unknown code as it is)."""
    return str(REASON_LABELS.get(code, code))


@dataclass(frozen=True)
class RouteResult:
    status: str
    unit: Unit | None
    candidates: tuple[Unit, ...]
    parsed: ParsedAddress
    rule: Rule | None
    reason: str
    matches: tuple[Rule, ...] = field(default=())  # every matching rule, best first

    @property
    def candidate_codes(self) -> list[str]:
        return [u.code for u in self.candidates]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "unit": self.unit.code if self.unit is not None else None,
            "candidates": self.candidate_codes,
            "parsed": self.parsed.as_dict(),
            "rule": self.rule.as_dict() if self.rule is not None else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class _Table:
    token: str | None
    gaz: Gazetteer
    index: RuleIndex
    units: dict[int, tuple[Any, ...]]  # the active units' rows, for `RouteResult.unit`


# One entry: the table as this process last read it. TTLCache only so that the test
# suite's `clear_all()` forgets it; its freshness comes from the version token.
_tables: TTLCache[str, _Table] = TTLCache(24 * 3600.0, max_size=1)
_build_lock = threading.Lock()
_UNIT_FIELDS = tuple(f.attname for f in Unit._meta.concrete_fields)


def _token() -> str | None:
    """The table's version token: one primary-key read, no count or scan."""
    version = connection.ops.quote_name(TableVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {version} WHERE id = 1")  # noqa: S608 — our model's table, quoted
        row = cursor.fetchone()
    return row[0] if row else None


def units_changed(**kwargs: Any) -> None:
    """A unit was saved or deleted (post_save / post_delete of `org.Unit`): the table's
    copies in every process hold its code and whether it is active, so they are stale."""
    bump_version()


def _build(token: str | None) -> _Table:
    pk_index = _UNIT_FIELDS.index("id")
    active_index = _UNIT_FIELDS.index("is_active")
    units = {
        row[pk_index]: row for row in Unit.objects.values_list(*_UNIT_FIELDS) if row[active_index]
    }
    code_index = _UNIT_FIELDS.index("code")
    rules = []
    towns = []
    for area in ServiceArea.objects.order_by("id").iterator(chunk_size=2000):
        if area.unit_id not in units:
            continue  # an inactive unit receives nothing
        rules.append(
            Rule(
                id=area.pk,
                unit_id=area.unit_id,
                unit_code=units[area.unit_id][code_index],
                province=area.province,
                city=area.city,
                district=area.district,
                town=area.town,
                keywords=tuple(area.keyword_list),
            )
        )
        if area.town and area.district:
            towns.append((area.city, area.district, area.town))
    base = gazetteer()
    county_codes = []
    for city, district, town in towns:
        for county in base.county_named(district, city=city):
            county_codes.append((county.code, town))
    return _Table(
        token=token,
        gaz=base.with_towns(county_codes),
        index=RuleIndex(rules),
        units=units,
    )


def _table() -> _Table:
    token = _token()
    found, table = _tables.get("table")
    if found and table is not None and table.token == token:
        return table
    with _build_lock:
        found, table = _tables.get("table")
        if not (found and table is not None and table.token == token):
            table = _build(token)
            _tables.put("table", table)
    return table


def address_clean(address: str) -> str:
    if not isinstance(address, str) or not address.strip():
        raise ValidationFailed(fields={"address": _("Enter an address.")})
    if len(address) > MAX_ADDRESS_LENGTH:
        raise ValidationFailed(
            fields={
                "address": _("An address has at most %(n)d characters.") % {"n": MAX_ADDRESS_LENGTH}
            }
        )
    if any(unicodedata.category(ch) == "Cc" for ch in address):
        raise ValidationFailed(fields={"address": _("The address contains control characters.")})
    return address.strip()


def _result(table: _Table, parsed: ParsedAddress, decision: Decision) -> RouteResult:
    # fresh instances from the table's rows (as the database holds them at its token)
    db = connection.alias
    candidates = tuple(
        Unit.from_db(db, _UNIT_FIELDS, table.units[pk])
        for pk in decision.unit_ids
        if pk in table.units
    )
    unit = candidates[0] if decision.status == "matched" and candidates else None
    return RouteResult(
        status=decision.status,
        unit=unit,
        candidates=candidates,
        parsed=parsed,
        rule=decision.rule,
        reason=decision.reason,
        matches=decision.matches,
    )


def route_address(*, address: str) -> RouteResult:
    """The unit that serves this address, or plainly why there is none (see above)."""
    text = address_clean(address)
    table = _table()
    parsed = parse_address(text, table.gaz)
    if not parsed.text:
        raise ValidationFailed(fields={"address": _("Enter an address.")})
    return _result(table, parsed, decide(parsed, table.index))


def district_rules(*, parsed: ParsedAddress) -> list[Rule]:
    """The rules an address is compared with (those of its district and city)."""
    return _table().index.candidates(parsed)


def _require_admin(user: User) -> None:
    if not can_manage_routing(user):
        raise PermissionDenied(_("Only administrators see the service-area table."))


def service_areas_list(*, user: User, unit: Unit | None = None) -> QuerySet[ServiceArea]:
    _require_admin(user)
    areas = ServiceArea.objects.select_related("unit")
    return areas.filter(unit=unit) if unit is not None else areas


def service_area_get(*, user: User, area_id: int) -> ServiceArea | None:
    _require_admin(user)
    return ServiceArea.objects.select_related("unit").filter(pk=area_id).first()


def units_with_rule_counts(*, user: User) -> QuerySet[Unit]:
    """Every unit in tree order, each with `rule_count`, its rules in the table."""
    _require_admin(user)
    return Unit.objects.annotate(rule_count=Count("service_areas")).order_by("path")


def unit_for_areas(*, user: User, code: str) -> Unit | None:
    _require_admin(user)
    return Unit.objects.filter(code=code).first()
