"""Importing the service-area table (service and command): good lines kept, bad lines
reported with their line number, whole-file errors change nothing, GBK read and said."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from postdesk.core.errors import ValidationFailed
from postdesk.routing.models import ServiceArea
from postdesk.routing.selectors import route_address
from postdesk.routing.services import service_areas_import

pytestmark = pytest.mark.django_db

HEADER = "unit_code,province,city,district,town,keywords\n"
GOOD = (
    HEADER + "WZ-LC01,,,鹿城区,,\n"
    "WZ-LC02,浙江省,温州市,鹿城区,五马街道,\n"
    "WZ-LC03,,,鹿城区,南郊街道,解放路 | 上村岙村\n"
    "RA-02,,,瑞安市,塘下镇,\n"
)


def areas():
    return sorted(
        ServiceArea.objects.values_list(
            "unit__code", "province", "city", "district", "town", "keywords"
        )
    )


def test_good_file_then_the_same_file_again(org):
    report = service_areas_import(data=GOOD.encode())
    assert report.as_dict() | {"errors": []} == {
        "lines": 4,
        "created": 4,
        "updated": 0,
        "rejected": 0,
        "errors": [],
        "unchanged": 0,
        "deleted": 0,
        "encoding": "utf-8",
    }
    assert ("WZ-LC03", "浙江省", "温州市", "鹿城区", "南郊街道", "解放路|上村岙村") in areas()
    again = service_areas_import(data=GOOD.encode())
    assert (again.created, again.unchanged, again.rejected) == (0, 4, 0)
    assert ServiceArea.objects.count() == 4


def test_bad_lines_are_rejected_with_their_reason_and_good_lines_kept(org):
    data = (
        HEADER + "WZ-LC01,,,鹿城区,,\n"  # 2 good
        "NOPE,,,鹿城区,,\n"  # 3 unknown unit
        "WZ-LW01,,杭州市,鹿城区,,\n"  # 4 district not in that city
        "WZ-LW01,,温州市,西湖区,,\n"  # 5 district not in that city
        "WZ-LW01,,,鼓楼区,,\n"  # 6 several cities
        "WZ-LW01,,,洞头县,,\n"  # 7 old name
        "WZ-LW01,,,,,解放路\n"  # 8 no city
        "WZ-LW01,浙江省,,,,\n"  # 9 province only
        "WZ-LW01,,,鹿城区,,路\n"  # 10 one-character keyword
        "WZ-LW01,,,鹿城区,五马街,\n"  # 11 no such township
        "WZ-LW01,,,鹿城区\n"  # 12 missing fields
        ",,,鹿城区,,\n"  # 13 no unit code
        "WZ-LW01,,温洲市,,,\n"  # 14 no such city
        "WZ-LW02,,,龙湾区,,永中路\n"  # 15 good
    )
    report = service_areas_import(data=data.encode())
    doc = report.as_dict()
    assert (doc["lines"], doc["created"], doc["rejected"]) == (14, 2, 12)
    lines = [e["line"] for e in doc["errors"]]
    assert lines == list(range(3, 15))
    reasons = {e["line"]: e["reason"] for e in doc["errors"]}
    assert "NOPE" in reasons[3]
    assert "杭州市" in reasons[4] and "西湖区" in reasons[5]
    assert "鼓楼区" in reasons[6]
    assert "洞头区" in reasons[7]
    assert "城市" in reasons[8] or "city" in reasons[8]
    assert "五马街道" in reasons[11]  # did you mean
    assert sorted(a[0] for a in areas()) == ["WZ-LC01", "WZ-LW02"]


def test_replace_makes_the_table_the_file_but_only_a_clean_file(org):
    service_areas_import(data=GOOD.encode())
    smaller = HEADER + "WZ-LC01,,,鹿城区,,\nRA-01,,,瑞安市,,\n"
    bad = smaller + "NOPE,,,鹿城区,,\n"
    before = areas()
    report = service_areas_import(data=bad.encode(), replace=True)
    assert report.rejected == 1 and report.created == 0 and report.deleted == 0
    assert areas() == before  # nothing changed
    report = service_areas_import(data=smaller.encode(), replace=True)
    assert (report.created, report.unchanged, report.deleted) == (1, 1, 3)
    assert [a[0] for a in areas()] == ["RA-01", "WZ-LC01"]
    assert route_address(address="瑞安塘下镇").unit.code == "RA-01"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"code,name\nWZ,x\n", "unit_code,province,city,district,town,keywords"),
        (b"", "unit_code,province,city,district,town,keywords"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "CSV"),
        (b"unit_code,province,city,district,town,keywords\n\xff\xfe\xfd\xff\n", "UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_changes_nothing(org, data, message):
    service_areas_import(data=GOOD.encode())
    before = areas()
    with pytest.raises(ValidationFailed) as caught:
        service_areas_import(data=data, replace=True)
    assert message in str(caught.value.fields["file"])
    assert areas() == before


def test_gbk_is_read_and_said(org):
    report = service_areas_import(data=GOOD.encode("gbk"))
    assert report.encoding == "gbk" and report.created == 4
    assert ("RA-02", "浙江省", "温州市", "瑞安市", "塘下镇", "") in areas()


def test_utf8_with_bom_and_windows_line_ends(org):
    data = ("\ufeff" + GOOD).replace("\n", "\r\n").encode()
    report = service_areas_import(data=data)
    assert (report.created, report.rejected, report.encoding) == (4, 0, "utf-8")


def test_the_command_prints_the_json_shape(org, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text(GOOD + "NOPE,,,鹿城区,,\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_service_areas", str(path), "--json", stdout=out)
    assert exited.value.code == 2  # some lines rejected
    doc = json.loads(out.getvalue())
    assert {"lines", "created", "updated", "rejected", "errors"} <= doc.keys()
    assert (doc["lines"], doc["created"], doc["rejected"]) == (5, 4, 1)
    assert doc["errors"][0]["line"] == 6 and "NOPE" in doc["errors"][0]["reason"]
    out = io.StringIO()
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_service_areas", str(path), "--json", stdout=out)  # exit 0
    assert json.loads(out.getvalue())["unchanged"] == 4


def test_the_command_on_an_unreadable_file(org, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text("unit,where\nWZ-LC01,鹿城区\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_service_areas", str(path), "--json", stdout=out)
    assert exited.value.code == 1
    doc = json.loads(out.getvalue())
    assert doc["lines"] == 0 and doc["created"] == 0
    assert "unit_code,province" in doc["errors"][0]["reason"]
    with pytest.raises(SystemExit):
        call_command("import_service_areas", str(tmp_path / "missing.csv"), stdout=io.StringIO())
    assert ServiceArea.objects.count() == 0


def test_route_address_command(org, tmp_path):
    service_areas_import(data=GOOD.encode())
    out = io.StringIO()
    call_command("route_address", "温州鹿城五马街道解放路12号", "--json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["status"] == "matched" and doc["unit"] == "WZ-LC02"
    assert set(doc) >= {"status", "unit", "candidates", "parsed", "rule"}
    path = tmp_path / "addresses.txt"
    path.write_text(
        "瑞安塘下镇韩田村\n杭州市西湖区解放路\n\n鹿城区南郊街道上村岙村6组\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("route_address", "--file", str(path), "--json", stdout=out)
    docs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [d.get("status", d.get("code")) for d in docs] == [
        "matched",
        "unmatched",
        "validation_error",
        "matched",
    ]
    assert [d.get("unit") for d in docs] == ["RA-02", None, None, "WZ-LC03"]
