"""The routing rule (pure; fixed by issue 14).

A rule matches an address when each of its non-empty place fields (province, city,
district, town) equals the address's and, if it has keywords, one of them occurs in the
address (in the part after the place names, `ParsedAddress.rest`). The most specific
match wins: specificity = number of non-empty place fields + 1 if it has keywords. If
the best matches belong to different units the answer is `ambiguous`; if nothing
matches, or no district can be told from the address, `unmatched`. Never a guess.

Rules are stored with the upper levels their lower ones imply filled in (a rule for
鹿城区 is stored as 浙江省 / 温州市 / 鹿城区), so that a rule's specificity counts what it
really narrows, whichever fields the administrator typed.

Who may manage the table (see, edit, import and test it on the admin pages) is the one
predicate `can_manage_routing`; reading the router's answer is not restricted here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from postdesk.org.models import Role
from postdesk.routing.parsing import ParsedAddress

if TYPE_CHECKING:
    from postdesk.org.models import User

MATCHED, AMBIGUOUS, UNMATCHED = "matched", "ambiguous", "unmatched"
# why: the answer's reason, for the explanation page and the API
WON, TIE, NO_DISTRICT, UNCERTAIN_PLACE, NO_RULE = (
    "won",
    "tie",
    "no_district",
    "uncertain_place",
    "no_rule",
)
PLACE_FIELDS = ("province", "city", "district", "town")


def can_manage_routing(user: User) -> bool:
    """The service-area pages (rules, imports, the address tester, the samples) and every
    write of the table: administrators only."""
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN)
    )


@dataclass(frozen=True)
class Rule:
    id: int
    unit_id: int
    unit_code: str
    province: str = ""
    city: str = ""
    district: str = ""
    town: str = ""
    keywords: tuple[str, ...] = ()

    @property
    def specificity(self) -> int:
        places = sum(1 for name in PLACE_FIELDS if getattr(self, name))
        return places + (1 if self.keywords else 0)

    def keyword_in(self, parsed: ParsedAddress) -> str:
        """The first of the rule's keywords found in the address's rest, or ""."""
        return next((k for k in self.keywords if k in parsed.rest), "")

    def matches(self, parsed: ParsedAddress) -> bool:
        for name in PLACE_FIELDS:
            wanted = getattr(self, name)
            if wanted and wanted != getattr(parsed, name):
                return False
        return not self.keywords or bool(self.keyword_in(parsed))

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "unit": self.unit_code,
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "town": self.town,
            "keywords": list(self.keywords),
            "specificity": self.specificity,
        }


@dataclass(frozen=True)
class Decision:
    status: str
    reason: str
    unit_ids: tuple[int, ...] = ()  # the best matches' units (one when matched)
    rule: Rule | None = None  # the winning rule (matched only)
    matches: tuple[Rule, ...] = field(default=())  # every matching rule, best first


class _Bucket:
    """The rules of one (city, district) key, compiled: rules without keywords by town
    ("" = any town), keyword rules by each of their keywords."""

    __slots__ = ("by_keyword", "by_town", "lengths")

    def __init__(self) -> None:
        self.by_town: dict[str, list[Rule]] = {}
        self.by_keyword: dict[str, list[Rule]] = {}
        self.lengths: tuple[int, ...] = ()

    def add(self, rule: Rule) -> None:
        if not rule.keywords:
            self.by_town.setdefault(rule.town, []).append(rule)
            return
        for word in dict.fromkeys(rule.keywords):
            self.by_keyword.setdefault(word, []).append(rule)

    def seal(self) -> None:
        self.lengths = tuple(sorted({len(w) for w in self.by_keyword}))

    def possible(self, parsed: ParsedAddress) -> list[Rule]:
        """A superset of this bucket's rules that match: the town-less rules, those of
        the address's town and the keyword rules one of whose keywords is a substring
        of the address's rest (found by looking up each substring of the lengths the
        bucket's keywords have, not by trying every rule)."""
        found = list(self.by_town.get("", ()))
        if parsed.town:
            found += self.by_town.get(parsed.town, ())
        rest = parsed.rest
        if self.by_keyword and rest:
            seen: set[int] = set()
            size = len(rest)
            for length in self.lengths:
                if length > size:
                    break
                for start in range(size - length + 1):
                    for rule in self.by_keyword.get(rest[start : start + length], ()):
                        if rule.id not in seen:
                            seen.add(rule.id)
                            found.append(rule)
        return found


class RuleIndex:
    """Rules grouped by district (and, for rules without one, by city), so an address
    is only compared with the rules that can match it.

    `candidates` is every rule of the address's district and city (the plain path, and
    what the explanation page lists); `matching` is the compiled path `decide` takes:
    within each group, rules are looked up by town and by keyword (`_Bucket`), and
    only those few are checked with `Rule.matches`. Both give the same matching rules
    (`decide_plain` is the plain path; a test compares the two on random tables)."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._by_district: dict[tuple[str, str], list[Rule]] = {}
        self._by_city: dict[str, list[Rule]] = {}
        self._compiled: dict[tuple[str, str], _Bucket] = {}
        for rule in rules:
            if rule.district:
                self._by_district.setdefault((rule.city, rule.district), []).append(rule)
            else:
                self._by_city.setdefault(rule.city, []).append(rule)
            self._compiled.setdefault((rule.city, rule.district), _Bucket()).add(rule)
        for bucket in self._compiled.values():
            bucket.seal()

    def candidates(self, parsed: ParsedAddress) -> list[Rule]:
        return [
            *self._by_district.get((parsed.city, parsed.district), []),
            *(self._by_city.get(parsed.city, []) if parsed.city else []),
        ]

    def matching(self, parsed: ParsedAddress) -> list[Rule]:
        """The rules that match the address (in no particular order)."""
        keys = [(parsed.city, parsed.district)]
        if parsed.city and parsed.district:
            keys.append((parsed.city, ""))
        found: list[Rule] = []
        for key in keys:
            bucket = self._compiled.get(key)
            if bucket is not None:
                found += (rule for rule in bucket.possible(parsed) if rule.matches(parsed))
        return found


def _decision(matching: list[Rule]) -> Decision:
    if not matching:
        return Decision(UNMATCHED, NO_RULE)
    matching.sort(key=lambda r: (-r.specificity, r.id))
    best = [r for r in matching if r.specificity == matching[0].specificity]
    units = tuple(dict.fromkeys(r.unit_id for r in best))
    if len(units) > 1:
        return Decision(AMBIGUOUS, TIE, unit_ids=units, matches=tuple(matching))
    return Decision(MATCHED, WON, unit_ids=units, rule=best[0], matches=tuple(matching))


def _no_district(parsed: ParsedAddress) -> Decision | None:
    if parsed.district_code:
        return None
    return Decision(UNMATCHED, UNCERTAIN_PLACE if parsed.place_candidates else NO_DISTRICT)


def decide(parsed: ParsedAddress, index: RuleIndex) -> Decision:
    """The rule's answer for this address, through the compiled index."""
    early = _no_district(parsed)
    return early if early is not None else _decision(index.matching(parsed))


def decide_plain(parsed: ParsedAddress, index: RuleIndex) -> Decision:
    """The same answer by checking every rule of the district and city in turn."""
    early = _no_district(parsed)
    if early is not None:
        return early
    return _decision([rule for rule in index.candidates(parsed) if rule.matches(parsed)])
