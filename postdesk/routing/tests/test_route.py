"""The routing rule through `route_address`, on the real database: its edge cases, the
inference of upper levels, out-of-area addresses, bad input and a changed table."""

from __future__ import annotations

import pytest

from postdesk.core.errors import ValidationFailed
from postdesk.org.services import unit_set_active
from postdesk.routing.models import ServiceArea
from postdesk.routing.parsing import parse_address
from postdesk.routing.rules import Rule, RuleIndex, decide
from postdesk.routing.selectors import route_address
from postdesk.routing.services import service_area_create, service_area_delete

pytestmark = pytest.mark.django_db


def rule(org, code, **fields):
    return service_area_create(actor=None, unit=org[code], **fields)


def route(address):
    r = route_address(address=address)
    return r.status, (r.unit.code if r.unit else None), sorted(r.candidate_codes)


def test_town_beats_district(org):
    rule(org, "WZ-LC01", district="鹿城区")
    rule(org, "WZ-LC02", district="鹿城区", town="五马街道")
    assert route("鹿城区五马街道解放路12号") == ("matched", "WZ-LC02", ["WZ-LC02"])
    assert route("鹿城区广化街道解放路12号") == ("matched", "WZ-LC01", ["WZ-LC01"])
    assert route("鹿城区解放路12号") == ("matched", "WZ-LC01", ["WZ-LC01"])


def test_keyword_beats_town(org):
    rule(org, "WZ-LC02", district="鹿城区", town="五马街道")
    rule(org, "WZ-LC03", district="鹿城区", town="五马街道", keywords="解放路|公园路")
    assert route("鹿城区五马街道解放路12号") == ("matched", "WZ-LC03", ["WZ-LC03"])
    assert route("鹿城区五马街道公园路1号") == ("matched", "WZ-LC03", ["WZ-LC03"])
    assert route("鹿城区五马街道信河街1号") == ("matched", "WZ-LC02", ["WZ-LC02"])


def test_a_keyword_of_another_town_does_not_count(org):
    rule(org, "WZ-LC01", district="鹿城区")
    rule(org, "WZ-LC03", district="鹿城区", town="南郊街道", keywords="解放路")
    # 解放路 in 五马街道: the 南郊 rule's town differs, so its keyword is no match
    assert route("鹿城区五马街道解放路12号") == ("matched", "WZ-LC01", ["WZ-LC01"])
    assert route("鹿城区南郊街道解放路12号") == ("matched", "WZ-LC03", ["WZ-LC03"])


def test_a_keyword_must_be_in_the_address_after_its_places(org):
    rule(org, "WZ-LC01", district="鹿城区")
    rule(org, "WZ-LC02", district="鹿城区", keywords="五马")
    # 五马 is the township's name here, not a community or road of the rest
    assert route("鹿城区五马街道信河街1号") == ("matched", "WZ-LC01", ["WZ-LC01"])
    assert route("鹿城区五马社区信河街1号")[1] == "WZ-LC02"


def test_tie_between_units_is_ambiguous(org):
    rule(org, "WZ-LC01", district="鹿城区", town="五马街道")
    rule(org, "WZ-LC02", district="鹿城区", keywords="解放路")
    result = route_address(address="鹿城区五马街道解放路12号")
    assert result.status == "ambiguous" and result.unit is None and result.rule is None
    assert sorted(result.candidate_codes) == ["WZ-LC01", "WZ-LC02"]
    assert result.reason == "tie"
    assert result.as_dict()["unit"] is None
    # two rules of the same unit at the best specificity are no tie
    rule(org, "WZ-LC01", district="鹿城区", keywords="解放路")
    assert route("鹿城区广化街道解放路1号") == ("ambiguous", None, ["WZ-LC01", "WZ-LC02"])
    assert route("鹿城区广化街道公园路1号") == ("unmatched", None, [])


def test_upper_levels_are_inferred_both_in_rules_and_addresses(org):
    # typed as 浙江省,温州市,鹿城区 or as 鹿城区 alone: the same rule, the same specificity
    a = rule(org, "WZ-LC01", province="浙江省", city="温州市", district="鹿城区")
    b = rule(org, "WZ-LC02", district="鹿城区", town="五马街道")
    assert (a.province, a.city) == (b.province, b.city) == ("浙江省", "温州市")
    assert route("温州鹿城五马街道") == ("matched", "WZ-LC02", ["WZ-LC02"])
    assert route("浙江省温州市鹿城区五马街道")[1] == "WZ-LC02"


def test_a_city_wide_rule_and_no_district(org):
    rule(org, "WZ-EMS", city="温州市")
    rule(org, "WZ-LC01", district="鹿城区")
    assert route("温州市瓯海区娄桥街道")[1] == "WZ-EMS"
    assert route("鹿城区解放路")[1] == "WZ-LC01"
    # the city alone: no district can be told, so not even the city-wide rule answers
    result = route_address(address="温州市解放路12号")
    assert result.status == "unmatched" and result.reason == "no_district"


def test_out_of_area_addresses_are_unmatched(org):
    rule(org, "WZ-LC01", district="鹿城区", keywords="解放路|中山路|温州路")
    rule(org, "WZ-LW01", city="温州市")
    for address in (
        "杭州市西湖区解放路12号",
        "杭州市西湖区温州路12号",
        "上海市浦东新区中山路1号",
        "江苏省南京市鼓楼区中山路1号",
        "鼓楼区中山路1号",
        "解放路12号",
    ):
        result = route_address(address=address)
        assert result.status == "unmatched", address
        assert result.candidates == ()
    assert route_address(address="鼓楼区中山路1号").reason == "uncertain_place"
    assert route_address(address="杭州市西湖区解放路12号").reason == "no_rule"


def test_the_answer_shape(org):
    area = rule(org, "RA-02", district="瑞安市", town="塘下镇")
    doc = route_address(address="瑞安塘下镇韩田村").as_dict()
    assert doc == {
        "status": "matched",
        "unit": "RA-02",
        "candidates": ["RA-02"],
        "parsed": {
            "province": "浙江省",
            "city": "温州市",
            "district": "瑞安市",
            "town": "塘下镇",
            "rest": "韩田村",
        },
        "rule": {
            "id": area.pk,
            "unit": "RA-02",
            "province": "浙江省",
            "city": "温州市",
            "district": "瑞安市",
            "town": "塘下镇",
            "keywords": [],
            "specificity": 4,
        },
        "reason": "won",
    }


def test_a_town_only_the_table_knows_is_read(org):
    # 新城街道 is no township of 龙湾区 in the national table (2023); the service-area
    # table names it (a township made after the table was published)
    rule(org, "WZ-LW02", district="龙湾区", town="新城街道")
    rule(org, "WZ-LW01", district="龙湾区")
    assert route("龙湾区新城街道三路1号")[1] == "WZ-LW02"
    assert route("温州龙湾新城街道三路1号")[1] == "WZ-LW02"
    assert parse_address("龙湾区新城街道三路1号").town == ""  # the national table alone
    # a place that is no township is a keyword's job, not the town field's
    with pytest.raises(ValidationFailed) as caught:
        rule(org, "WZ-LW02", district="龙湾区", town="滨海新城")
    assert "滨海新城" in str(caught.value.fields["town"])


def test_a_changed_table_or_unit_is_seen_at_the_next_question(org):
    area = rule(org, "WZ-LC01", district="鹿城区")
    assert route("鹿城区解放路")[1] == "WZ-LC01"
    rule(org, "WZ-LC02", district="鹿城区", keywords="解放路")
    assert route("鹿城区解放路")[1] == "WZ-LC02"
    unit_set_active(unit=org["WZ-LC02"], active=False)
    assert route("鹿城区解放路")[1] == "WZ-LC01"  # an inactive unit receives nothing
    service_area_delete(actor=None, area=area)
    assert route("鹿城区解放路") == ("unmatched", None, [])
    assert ServiceArea.objects.count() == 1


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "Enter an address."),
        ("   ", "Enter an address."),
        ("地址：", "Enter an address."),
        ("鹿" * 2000, "An address has at most 200 characters."),
        ("鹿城区\x00解放路", "The address contains control characters."),
        ("鹿城区\n解放路", "The address contains control characters."),
    ],
)
def test_bad_input(org, settings, address, message):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        route_address(address=address)
    assert str(caught.value.fields["address"]) == message


def test_the_pure_rule_against_a_hand_worked_table():
    p = parse_address("鹿城区五马街道解放路12号")
    rules = [
        Rule(1, 10, "A", "浙江省", "温州市", "鹿城区"),
        Rule(2, 20, "B", "浙江省", "温州市", "鹿城区", "五马街道"),
        Rule(3, 30, "C", "浙江省", "温州市", "鹿城区", "五马街道", ("解放路",)),
        Rule(4, 40, "D", "浙江省", "温州市", "鹿城区", "南郊街道", ("解放路",)),
        Rule(5, 50, "E", "浙江省", "杭州市", "西湖区", "", ("解放路",)),
    ]
    assert [r.specificity for r in rules] == [3, 4, 5, 5, 4]
    decision = decide(p, RuleIndex(rules))
    assert decision.status == "matched" and decision.rule == rules[2]
    assert [r.id for r in decision.matches] == [3, 2, 1]
    tie = decide(
        p,
        RuleIndex([*rules, Rule(6, 60, "F", "浙江省", "温州市", "鹿城区", "五马街道", ("12号",))]),
    )
    assert tie.status == "ambiguous" and tie.unit_ids == (30, 60)
    assert decide(parse_address("温州市解放路"), RuleIndex(rules)).status == "unmatched"
