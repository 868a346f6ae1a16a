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
"""

from __future__ import annotations

from dataclasses import dataclass, field

from postdesk.routing.parsing import ParsedAddress

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


class RuleIndex:
    """Rules grouped by district (and, for rules without one, by city), so an address
    is only compared with the rules that can match it."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._by_district: dict[tuple[str, str], list[Rule]] = {}
        self._by_city: dict[str, list[Rule]] = {}
        for rule in rules:
            if rule.district:
                self._by_district.setdefault((rule.city, rule.district), []).append(rule)
            else:
                self._by_city.setdefault(rule.city, []).append(rule)

    def candidates(self, parsed: ParsedAddress) -> list[Rule]:
        return [
            *self._by_district.get((parsed.city, parsed.district), []),
            *(self._by_city.get(parsed.city, []) if parsed.city else []),
        ]


def decide(parsed: ParsedAddress, index: RuleIndex) -> Decision:
    if not parsed.district_code:
        reason = UNCERTAIN_PLACE if parsed.place_candidates else NO_DISTRICT
        return Decision(UNMATCHED, reason)
    matching = [rule for rule in index.candidates(parsed) if rule.matches(parsed)]
    if not matching:
        return Decision(UNMATCHED, NO_RULE)
    matching.sort(key=lambda r: (-r.specificity, r.id))
    best = [r for r in matching if r.specificity == matching[0].specificity]
    units = tuple(dict.fromkeys(r.unit_id for r in best))
    if len(units) > 1:
        return Decision(AMBIGUOUS, TIE, unit_ids=units, matches=tuple(matching))
    return Decision(MATCHED, WON, unit_ids=units, rule=best[0], matches=tuple(matching))
