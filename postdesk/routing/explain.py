"""Why the router answered as it did, in the reader's language: the sentence the address
tester and the samples page show under an answer of `selectors.route_address`.

Only words: the answer itself (status, unit, candidates, rule) is the router's; this
module never decides anything.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postdesk.org.models import Unit
from postdesk.routing import rules
from postdesk.routing.divisions import gazetteer
from postdesk.routing.parsing import ParsedAddress
from postdesk.routing.rules import Rule
from postdesk.routing.selectors import RouteResult

STATUS_LABELS = {
    rules.MATCHED: gettext_lazy("Matched"),
    rules.AMBIGUOUS: gettext_lazy("Ambiguous"),
    rules.UNMATCHED: gettext_lazy("Unmatched"),
}
MAX_PLACES = 5


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def rule_place(rule: Rule) -> str:
    """The places a rule names, narrowest last (浙江省 温州市 鹿城区 五马街道)."""
    return " ".join(v for v in (rule.province, rule.city, rule.district, rule.town) if v)


def rule_text(rule: Rule) -> str:
    """A rule in words: its places and, if it has them, its keywords."""
    place = rule_place(rule)
    if not rule.keywords:
        return place
    return _("%(place)s, with a keyword of %(keywords)s") % {
        "place": place,
        "keywords": "、".join(rule.keywords),
    }


def unit_text(unit: Unit) -> str:
    return f"{unit.name}（{unit.code}）"


def _address_place(parsed: ParsedAddress) -> str:
    """The places read, once each (上海市 is its own province and city)."""
    names = (parsed.province, parsed.city, parsed.district, parsed.town)
    return "".join(dict.fromkeys(v for v in names if v))


def _places_of(codes: tuple[str, ...]) -> str:
    gaz = gazetteer()
    names = []
    for code in codes[:MAX_PLACES]:
        division = gaz.by_code.get(code)
        if division is None:
            continue
        upper = division.city or division.province
        names.append(
            f"{division.name}（{upper}）" if upper and upper != division.name else division.name
        )
    text = "、".join(names)
    return text + ("…" if len(codes) > MAX_PLACES else "")


def route_explanation(result: RouteResult) -> str:
    """One or two sentences: why this answer, in the reader's language."""
    parsed = result.parsed
    if result.reason == rules.WON and result.rule is not None and result.unit is not None:
        rule = result.rule
        text = _(
            "The most specific matching rule is “%(rule)s” (specificity %(n)d), a rule of %(unit)s."
        ) % {"rule": rule_text(rule), "n": rule.specificity, "unit": unit_text(result.unit)}
        keyword = rule.keyword_in(parsed)
        if keyword:
            text += _(" Its keyword “%(keyword)s” occurs in the address.") % {"keyword": keyword}
        if len(result.matches) > 1:
            text += _(" The other matching rules are less specific.")
        return text
    if result.reason == rules.TIE:
        best = result.matches[0].specificity if result.matches else 0
        return _(
            "Rules of %(units)s match equally well (specificity %(n)d): the address is not "
            "routed, a person picks the unit."
        ) % {"units": "、".join(unit_text(u) for u in result.candidates), "n": best}
    if result.reason == rules.UNCERTAIN_PLACE:
        return _(
            "A place name in the address fits several places (%(places)s): with its city or "
            "district named the address can be routed."
        ) % {"places": _places_of(parsed.place_candidates)}
    if result.reason == rules.NO_DISTRICT:
        place = _address_place(parsed)
        if place:
            return _(
                "The address names %(place)s but no district in it, so it is not routed "
                "(a wrong branch is worse than a person's choice)."
            ) % {"place": place}
        return _("No province, city or district can be read from the address, so it is not routed.")
    return _("No rule of the service-area table covers %(place)s.") % {
        "place": _address_place(parsed) or _("this address")
    }
