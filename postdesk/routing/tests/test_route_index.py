"""The compiled rule index (`RuleIndex.matching`, the path `decide` takes) answers what
the plain path (`decide_plain`: every rule of the district and city checked in turn)
answers, on random tables and addresses; and the in-process copy of the table follows
every write that changes the answer (rules and units) without a count per question."""

from __future__ import annotations

import random

import pytest

from postdesk.org.services import unit_set_active
from postdesk.routing.parsing import ParsedAddress, parse_address
from postdesk.routing.rules import Rule, RuleIndex, decide, decide_plain
from postdesk.routing.selectors import _table, route_address
from postdesk.routing.services import service_area_create, service_areas_import

PLACES = [
    ("浙江省", "温州市", "鹿城区", ["五马街道", "南郊街道", "广化街道"]),
    ("浙江省", "温州市", "瑞安市", ["塘下镇", "安阳街道"]),
    ("浙江省", "温州市", "", []),
    ("浙江省", "杭州市", "西湖区", ["北山街道"]),
    ("", "", "某直辖县", ["甲镇"]),
]
WORDS = ["解放路", "公园路", "12号", "上村岙村", "路", "解放", "华联", "小区", "村6组", "岙"]


def random_rules(rng: random.Random, n: int) -> list[Rule]:
    rules = []
    for i in range(n):
        province, city, district, towns = rng.choice(PLACES)
        town = rng.choice(["", *towns]) if towns else ""
        keywords = tuple(rng.sample(WORDS, rng.choice([0, 0, 1, 2, 3])))
        unit = rng.randint(1, 6)
        rules.append(Rule(i + 1, unit, f"U{unit}", province, city, district, town, keywords))
    return rules


def random_address(rng: random.Random) -> ParsedAddress:
    province, city, district, towns = rng.choice(PLACES)
    if not district:
        district = rng.choice(["", "鹿城区"])
    rest = "".join(rng.sample(WORDS, rng.randint(0, 3))) + rng.choice(["", "8号", "近华联超市"])
    return ParsedAddress(
        province=province,
        city=city,
        district=district,
        town=rng.choice(["", *towns]),
        rest=rest,
        district_code="330302" if district else "",
    )


@pytest.mark.parametrize("seed", range(20))
def test_the_compiled_index_decides_as_the_plain_path(seed):
    rng = random.Random(seed)
    index = RuleIndex(random_rules(rng, rng.choice([0, 5, 40, 300])))
    seen = set()
    for _ in range(300):
        parsed = random_address(rng)
        fast, plain = decide(parsed, index), decide_plain(parsed, index)
        assert fast == plain, parsed
        seen.add(fast.status)
    if len(index.rules) >= 40:
        assert {"matched", "unmatched"} <= seen  # the random tables do exercise the rule


def test_a_keyword_found_twice_or_two_keywords_found_count_the_rule_once():
    p = parse_address("鹿城区五马街道解放路解放路12号")
    rules = [Rule(1, 10, "A", "浙江省", "温州市", "鹿城区", "", ("解放路", "12号", "解放"))]
    decision = decide(p, RuleIndex(rules))
    assert [r.id for r in decision.matches] == [1]
    assert decision == decide_plain(p, RuleIndex(rules))


@pytest.mark.django_db
def test_route_address_answers_as_the_plain_path_on_an_imported_table(org):
    codes = ["WZ-LC01", "WZ-LC02", "WZ-LC03"]
    rng = random.Random(14)
    lines = ["unit_code,province,city,district,town,keywords"]
    for i in range(120):
        town = rng.choice(["", "五马街道", "南郊街道", "广化街道"])
        kw = "|".join(rng.sample(["解放路", "公园路", "信河街", "12号", "小区"], rng.randint(0, 2)))
        lines.append(f"{codes[i % 3]},,温州市,鹿城区,{town},{kw}")
    report = service_areas_import(data="\n".join(lines).encode())
    assert report.rejected == 0 and report.created > 50
    statuses = set()
    for i in range(200):
        address = rng.choice(["鹿城区", "温州鹿城", "浙江省温州市鹿城区"]) + rng.choice(
            ["", "五马街道", "南郊街道", "广化街道"]
        )
        address += rng.choice(["解放路", "公园路", "信河街", "车站大道"]) + f"{i}号"
        result = route_address(address=address)
        table = _table()
        plain = decide_plain(result.parsed, table.index)
        assert (result.status, [u.pk for u in result.candidates], result.rule) == (
            plain.status,
            list(plain.unit_ids),
            plain.rule,
        )
        statuses.add(result.status)
    assert statuses >= {"matched", "ambiguous"}


@pytest.mark.django_db
def test_the_copy_follows_unit_writes_without_a_count(org, django_assert_max_num_queries):
    service_area_create(actor=None, unit=org["WZ-LC01"], district="鹿城区")
    service_area_create(actor=None, unit=org["WZ-LC02"], district="鹿城区", town="五马街道")
    assert route_address(address="鹿城区五马街道1号").unit.code == "WZ-LC02"
    with django_assert_max_num_queries(1):  # the version token, nothing else
        result = route_address(address="鹿城区五马街道1号")
    assert result.unit.name == org["WZ-LC02"].name and not result.unit._state.adding
    unit = org["WZ-LC02"]
    unit.name = "五马网点（新）"
    unit.save()  # any save of a unit (here not through a service) changes the token
    assert route_address(address="鹿城区五马街道1号").unit.name == "五马网点（新）"
    unit_set_active(unit=unit, active=False)
    assert route_address(address="鹿城区五马街道1号").unit.code == "WZ-LC01"
