"""The service-area pages: administrators only (403 for every other role), a rule added
or changed with the import's own checks (a field error and nothing saved on bad input),
deleted, and the address tester's answer with its reason in Chinese."""

from __future__ import annotations

import re

import pytest

from postdesk.routing import demo
from postdesk.routing.models import ServiceArea
from postdesk.routing.services import service_area_create, service_areas_import

pytestmark = pytest.mark.django_db

NOT_ADMINS = ("agent1", "lead1", "director1", "branch1")
HEADER = "unit_code,province,city,district,town,keywords\n"


def rows():
    return sorted(
        ServiceArea.objects.values_list(
            "unit__code", "province", "city", "district", "town", "keywords"
        )
    )


def field_error(response, name: str) -> str:
    found = re.findall(
        rf'<small class="error" data-field="{name}">([^<]*)</small>', response.content.decode()
    )
    return " ".join(found)


@pytest.fixture
def area(org):
    return service_area_create(actor=None, unit=org["WZ-LC01"], district="鹿城区")


def page_urls(area_id: int) -> list[str]:
    return [
        "/routing/",
        "/routing/unit/WZ-LC01/",
        "/routing/test/?address=鹿城区五马街道1号",
        f"/routing/rule/{area_id}/edit/",
        "/routing/import/",
        "/routing/samples/",
        "/org/units/import/",
    ]


@pytest.mark.parametrize("username", NOT_ADMINS)
def test_every_other_role_is_refused(client_for, area, username):
    client = client_for(username)
    for url in page_urls(area.pk):
        assert client.get(url).status_code == 403, url
    before = rows()
    assert client.post("/routing/unit/WZ-LC01/", {"district": "龙湾区"}).status_code == 403
    assert (
        client.post(f"/routing/rule/{area.pk}/edit/", {"unit_code": "WZ-LW01"}).status_code == 403
    )
    assert client.post(f"/routing/rule/{area.pk}/delete/").status_code == 403
    assert rows() == before
    assert "服务区域" not in client.get("/").content.decode()  # no nav entry either


def test_the_administrator_opens_every_page_and_finds_it_in_the_nav(client_for, area):
    client = client_for("admin")
    for url in page_urls(area.pk):
        assert client.get(url).status_code == 200, url
    home = client.get("/").content.decode()
    assert 'href="/routing/"' in home and "服务区域" in home


def test_signed_out_goes_to_the_login(client, area):
    response = client.get("/routing/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_index_lists_units_with_their_rule_counts(client_for, org):
    demo.seed()
    html = client_for("admin").get("/routing/").content.decode()
    counts = dict(re.findall(r'<tr data-code="([^"]+)">.*?data-testid="rule-count">(\d+)<', html))
    assert counts["WZ-LC03"] == "3" and counts["WZ-LC01"] == "1" and counts["WZ-11185"] == "0"
    assert "服务区域表共有 21 条规则" in html


def test_a_rule_is_added_with_its_upper_levels_filled_in(client_for, org):
    client = client_for("admin")
    response = client.post(
        "/routing/unit/WZ-LC02/", {"district": "鹿城区", "town": "五马街道", "keywords": ""}
    )
    assert response.status_code == 302 and response["Location"] == "/routing/unit/WZ-LC02/"
    assert rows() == [("WZ-LC02", "浙江省", "温州市", "鹿城区", "五马街道", "")]
    page = client.get("/routing/unit/WZ-LC02/").content.decode()
    assert "已新增规则" in page and "五马街道" in page


# (field values, field at fault, what the page says): each is what the CSV import says
BAD = [
    ({"city": "温州市", "district": "西湖区"}, "district", "温州市没有“西湖区”"),
    ({"district": "鹿城"}, "district", "鹿城区"),  # a short name: use the official one
    ({"district": "鹿城区", "keywords": "路"}, "keywords", "“路”"),
    ({"town": "无名街道"}, "town", ""),  # an unknown township alone: name its district
    ({"province": "浙江省"}, "city", ""),  # no city or district: would match a province
    ({"district": "鹿城区", "town": "五马街道\x07"}, "town", ""),
]


@pytest.mark.parametrize(("values", "name", "says"), BAD)
def test_a_bad_rule_names_its_field_saves_nothing_and_says_what_the_import_says(
    client_for, area, values, name, says
):
    before = rows()
    response = client_for("admin").post("/routing/unit/WZ-LC02/", values)
    assert response.status_code == 400
    message = field_error(response, name)
    assert message and says in message
    assert rows() == before
    # the same line in a CSV is rejected for the same reason: one check for both
    line = ",".join(
        ["WZ-LC02"] + [values.get(f, "") for f in ("province", "city", "district", "town")]
    )
    line += "," + values.get("keywords", "")
    if "\x07" in line:
        return  # the CSV reader refuses a line with control characters before the fields
    report = service_areas_import(data=(HEADER + line + "\n").encode())
    assert report.errors == [(2, message)]


def test_a_rule_for_an_inactive_unit_or_one_already_in_the_table_is_refused(client_for, org, area):
    client = client_for("admin")
    response = client.post("/routing/unit/WZ-LC01/", {"district": "鹿城区"})
    assert response.status_code == 400
    assert f"表中已有这条规则（规则 {area.pk}）" in response.content.decode()
    from postdesk.org.services import unit_set_active

    unit_set_active(unit=org["WZ-LC03"], active=False)
    response = client.post("/routing/unit/WZ-LC03/", {"district": "鹿城区", "town": "南郊街道"})
    assert response.status_code == 400 and "WZ-LC03" in response.content.decode()
    assert rows() == [("WZ-LC01", "浙江省", "温州市", "鹿城区", "", "")]


def test_a_rule_is_edited_moved_and_deleted(client_for, area):
    client = client_for("admin")
    url = f"/routing/rule/{area.pk}/edit/"
    form = client.get(url).content.decode()
    assert 'value="鹿城区"' in form and 'value="WZ-LC01"' in form
    bad = client.post(url, {"unit_code": "WZ-LC01", "district": "鹿城区", "town": "不存在镇街"})
    assert bad.status_code == 400 and "鹿城区没有" in field_error(bad, "town")
    nope = client.post(url, {"unit_code": "NOPE", "district": "鹿城区"})
    assert nope.status_code == 400 and "NOPE" in field_error(nope, "unit_code")
    assert rows() == [("WZ-LC01", "浙江省", "温州市", "鹿城区", "", "")]
    good = client.post(
        url, {"unit_code": "WZ-LC03", "district": "鹿城区", "keywords": "解放路 | 划龙桥路"}
    )
    assert good.status_code == 302 and good["Location"] == "/routing/unit/WZ-LC03/"
    assert rows() == [("WZ-LC03", "浙江省", "温州市", "鹿城区", "", "解放路|划龙桥路")]
    assert client.post(f"/routing/rule/{area.pk}/delete/").status_code == 302
    assert rows() == []
    assert client.get(url).status_code == 404


def test_the_tester_answers_with_status_unit_parts_rule_and_reason(client_for, org):
    demo.seed()
    client = client_for("admin")
    html = client.get("/routing/test/", {"address": "温州市鹿城区划龙桥路88号3幢2单元"}).content
    html = html.decode()
    assert 'data-status="matched"' in html and "已匹配" in html
    assert "南郊支局（WZ-LC03）" in html
    assert "<td>鹿城区</td>" in html and "<td>划龙桥路88号3幢2单元</td>" in html
    rule = ServiceArea.objects.get(unit__code="WZ-LC03", keywords="解放路|划龙桥路")
    assert f"/routing/rule/{rule.pk}/edit/" in html
    assert "匹配的规则中最具体的是" in html and "地址中出现了它的关键词“划龙桥路”" in html

    tie = client.get("/routing/test/", {"address": "鹿城区五马街道解放路12号"}).content.decode()
    assert 'data-status="ambiguous"' in tie and "有歧义" in tie
    assert "五马投递部（WZ-LC02）、南郊支局（WZ-LC03）" in tie and "由人工选择单位" in tie

    away = client.get("/routing/test/", {"address": "杭州市西湖区温州路1号"}).content.decode()
    assert 'data-status="unmatched"' in away and "没有覆盖浙江省杭州市西湖区的规则" in away

    # htmx asks for the answer alone
    part = client.get(
        "/routing/test/", {"address": "瑞安塘下镇韩田村"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in part.content.decode() and "塘下支局（RA-02）" in part.content.decode()


@pytest.mark.parametrize("address", ["", "   ", "鹿城区" * 700, "鹿城区\x00五马街道"])
def test_the_tester_refuses_bad_addresses_plainly(client_for, org, address):
    response = client_for("admin").get("/routing/test/", {"address": address})
    assert response.status_code == 400
    assert field_error(response, "address")  # 请输入地址 / 最多 200 个字符 / 控制字符
