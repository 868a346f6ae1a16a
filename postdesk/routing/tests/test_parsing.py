"""The address parser, pure: every surface form the issue lists, out-of-area addresses,
old names, and the cases where it must not guess."""

from __future__ import annotations

import pytest

from postdesk.routing.divisions import gazetteer, short_name
from postdesk.routing.parsing import normalise, parse_address

FULL = ("浙江省", "温州市", "鹿城区", "五马街道")


def fields(text: str) -> tuple[str, str, str, str, str]:
    p = parse_address(text)
    return p.province, p.city, p.district, p.town, p.rest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # full form
        ("浙江省温州市鹿城区五马街道解放路12号", (*FULL, "解放路12号")),
        # without province, without province and city
        ("温州市鹿城区五马街道解放路12号", (*FULL, "解放路12号")),
        ("鹿城区五马街道解放路12号", (*FULL, "解放路12号")),
        # short names
        ("温州鹿城解放路12号", ("浙江省", "温州市", "鹿城区", "", "解放路12号")),
        ("瑞安塘下镇韩田村", ("浙江省", "温州市", "瑞安市", "塘下镇", "韩田村")),
        ("浙江温州苍南灵溪镇人民路5号", ("浙江省", "温州市", "苍南县", "灵溪镇", "人民路5号")),
        ("乐清柳市长虹路8号", ("浙江省", "温州市", "乐清市", "柳市镇", "长虹路8号")),
        ("鹿城五马解放路", (*FULL, "解放路")),
        # spaces and punctuation between the parts
        ("浙江省 温州市 鹿城区 五马街道 解放路 12号", (*FULL, "解放路12号")),
        ("浙江省，温州市，鹿城区、五马街道-解放路12号", (*FULL, "解放路12号")),
        ("温州市\u3000鹿城区\u3000解放路12号", ("浙江省", "温州市", "鹿城区", "", "解放路12号")),
        # full-width digits and letters
        ("鹿城区解放路１２号Ａ座", ("浙江省", "温州市", "鹿城区", "", "解放路12号A座")),
        # prefixes
        ("地址：温州市鹿城区解放路12号", ("浙江省", "温州市", "鹿城区", "", "解放路12号")),
        ("收货地址:鹿城区解放路12号", ("浙江省", "温州市", "鹿城区", "", "解放路12号")),
        ("我家住在瑞安塘下镇韩田村", ("浙江省", "温州市", "瑞安市", "塘下镇", "韩田村")),
        ("中国浙江省温州市鹿城区解放路12号", ("浙江省", "温州市", "鹿城区", "", "解放路12号")),
        # trailing landmarks and remarks stay in the rest
        (
            "鹿城区五马街道解放路12号近华联超市",
            (*FULL, "解放路12号近华联超市"),
        ),
        (
            "鹿城区五马街道解放路12号3幢2单元到了打电话",
            (*FULL, "解放路12号3幢2单元到了打电话"),
        ),
        # villages and groups
        (
            "瓯海区娄桥街道上村岙村6组",
            ("浙江省", "温州市", "瓯海区", "娄桥街道", "上村岙村6组"),
        ),
        # a township alone tells its county when its name is unique in the country
        ("塘下镇韩田村", ("浙江省", "温州市", "瑞安市", "塘下镇", "韩田村")),
        ("温州塘下镇韩田村", ("浙江省", "温州市", "瑞安市", "塘下镇", "韩田村")),
        # a short township name with its older ending
        ("洞头北岙镇中心街", ("浙江省", "温州市", "洞头区", "北岙街道", "中心街")),
    ],
)
def test_surface_forms(text, expected):
    assert fields(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("洞头县北岙街道", ("浙江省", "温州市", "洞头区", "北岙街道", "")),
        ("乐清县柳市镇", ("浙江省", "温州市", "乐清市", "柳市镇", "")),
        ("瓯海县梧田", ("浙江省", "温州市", "瓯海区", "梧田街道", "")),
        ("苍南县龙港镇人民路1号", ("浙江省", "温州市", "龙港市", "", "人民路1号")),
        ("龙港镇人民路1号", ("浙江省", "温州市", "龙港市", "", "人民路1号")),
        ("杭州市江干区凯旋路", ("浙江省", "杭州市", "上城区", "", "凯旋路")),
        ("上海市闸北区天目路", ("上海市", "上海市", "静安区", "", "天目路")),
        ("临安市锦城街道", ("浙江省", "杭州市", "临安区", "", "锦城街道")),  # renames.csv
    ],
)
def test_old_names_of_renamed_or_merged_districts(text, expected):
    assert fields(text) == expected


@pytest.mark.parametrize(
    ("text", "province", "city", "district"),
    [
        ("杭州市西湖区温州路12号", "浙江省", "杭州市", "西湖区"),
        ("上海市浦东新区张江路1号", "上海市", "上海市", "浦东新区"),
        ("北京市朝阳区建国路", "北京市", "北京市", "朝阳区"),
        ("江苏省南京市鼓楼区中山路1号", "江苏省", "南京市", "鼓楼区"),
        ("广西南宁青秀区民族大道", "广西壮族自治区", "南宁市", "青秀区"),
        ("延边州延吉市", "吉林省", "延边朝鲜族自治州", "延吉市"),
        ("吉林市船营区", "吉林省", "吉林市", "船营区"),
        ("湖北省仙桃市", "湖北省", "", "仙桃市"),
    ],
)
def test_other_cities_and_provinces_are_read_as_such(text, province, city, district):
    p = parse_address(text)
    assert (p.province, p.city, p.district) == (province, city, district)


def test_a_road_named_after_a_place_does_not_move_the_address():
    # the road names come after the place names: never read as places
    assert fields("杭州市西湖区鹿城路1号")[:3] == ("浙江省", "杭州市", "西湖区")
    # a short name followed by a road word is a road, not a place
    assert fields("温州市鹿城路12号") == ("浙江省", "温州市", "", "", "鹿城路12号")
    assert fields("中山路12号") == ("", "", "", "", "中山路12号")
    assert fields("鹿城区五马街12号") == ("浙江省", "温州市", "鹿城区", "", "五马街12号")
    assert fields("温州大学城") == ("", "", "", "", "温州大学城")
    # a district of another city after a city is not taken
    assert fields("杭州市鹿城区解放路") == ("浙江省", "杭州市", "", "", "鹿城区解放路")


def test_a_name_of_several_places_leaves_the_district_untold():
    p = parse_address("鼓楼区中山路1号")
    assert p.district == "鼓楼区" and p.district_code == "" and p.city == ""
    assert len(p.place_candidates) == 4
    p = parse_address("朝阳区建国路")
    assert p.district_code == "" and set(p.place_candidates) == {"110105", "220104"}
    # the city tells which one
    assert parse_address("福州鼓楼区").district_code == "350102"


def test_a_township_name_found_elsewhere_in_the_country_does_not_tell_its_county():
    gaz = gazetteer()
    wuma = next(d for d in gaz.towns_of["330302"] if d.name == "五马街道")
    assert wuma.elsewhere > 0  # there is another 五马街道 in China
    assert fields("五马街道解放路") == ("", "", "", "", "五马街道解放路")
    # with its city it does
    assert fields("温州五马街道解放路")[:4] == FULL


def test_no_district_told():
    assert fields("温州市解放路12号") == ("浙江省", "温州市", "", "", "解放路12号")
    assert fields("浙江省解放路") == ("浙江省", "", "", "", "解放路")
    assert fields("解放路12号") == ("", "", "", "", "解放路12号")
    assert fields("温州市区解放路")[:3] == ("浙江省", "温州市", "")


def test_normalise():
    assert normalise(" 地址：浙江省 温州市\u200b鹿城区１２号 ") == "浙江省温州市鹿城区12号"
    assert normalise("") == ""


@pytest.mark.parametrize(
    ("name", "level", "short"),
    [
        ("浙江省", 1, "浙江"),
        ("广西壮族自治区", 1, "广西"),
        ("新疆维吾尔自治区", 1, "新疆"),
        ("温州市", 2, "温州"),
        ("延边朝鲜族自治州", 2, "延边"),
        ("黔东南苗族侗族自治州", 2, "黔东南"),
        ("大兴安岭地区", 2, "大兴安岭"),
        ("鹿城区", 3, "鹿城"),
        ("长阳土家族自治县", 3, "长阳"),
        ("城区", 3, ""),
        ("浦东新区", 3, ""),
        ("五马街道", 4, "五马"),
        ("塘下镇", 4, "塘下"),
    ],
)
def test_short_names(name, level, short):
    assert short_name(name, level) == short


def test_the_table_has_the_whole_country():
    gaz = gazetteer()
    levels = [d.level for d in gaz.by_code.values()]
    assert levels.count(1) == 34  # 31 + Hong Kong, Macao, Taiwan
    assert levels.count(2) > 300
    assert levels.count(3) > 2800
    assert {d.name for d in gaz.towns_of["330381"]} >= {"塘下镇", "安阳街道"}
