"""The upload pages of the two CSV imports (service areas, org units): the same services
as the commands, the counts and every rejected line with its reason, GBK read and said,
a file that cannot be read refused with nothing imported."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from postdesk.core.csvimport import MAX_BYTES
from postdesk.org.models import Unit
from postdesk.routing.models import ServiceArea
from postdesk.routing.services import service_areas_import

pytestmark = pytest.mark.django_db

HEADER = "unit_code,province,city,district,town,keywords\n"
MIXED = (
    HEADER + "WZ-LC01,,,鹿城区,,\n"  # 2 good
    "NOPE,,,鹿城区,,\n"  # 3 no such unit
    "WZ-LW01,,温州市,西湖区,,\n"  # 4 not a district of that city
    "WZ-LC02,,,鹿城区,五马街道,\n"  # 5 good
    "WZ-LC03,,,鹿城区,,解放路|划龙桥路\n"  # 6 good
)


def upload(client, url, text, *, encoding="utf-8", **extra):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(url, {"file": SimpleUploadedFile("t.csv", data, "text/csv"), **extra})


def error_lines(html: str) -> dict[int, str]:
    return {
        int(line): reason
        for line, reason in re.findall(r'<tr data-line="(\d+)"><td>\d+</td><td>([^<]*)</td>', html)
    }


def counts(html: str) -> str:
    found = re.search(r'data-testid="import-counts">([^<]*)<', html)
    return found.group(1) if found else ""


def areas():
    return sorted(ServiceArea.objects.values_list("unit__code", "district", "town", "keywords"))


def test_good_and_bad_lines_the_counts_and_each_reason(client_for, org):
    response = upload(client_for("admin"), "/routing/import/", MIXED)
    html = response.content.decode()
    assert response.status_code == 200
    assert counts(html) == "共 5 行：新建 3，更新 0，未变 0，删除 0，拒收 2"
    assert error_lines(html) == {3: "没有单位“NOPE”。", 4: "温州市没有“西湖区”。"}
    assert areas() == [
        ("WZ-LC01", "鹿城区", "", ""),
        ("WZ-LC02", "鹿城区", "五马街道", ""),
        ("WZ-LC03", "鹿城区", "", "解放路|划龙桥路"),
    ]
    # what the command's service answers for the same file, line for line
    again = service_areas_import(data=MIXED.encode())
    assert dict(again.errors) == error_lines(html) and again.unchanged == 3


def test_a_gbk_file_is_read_and_said_so(client_for, org):
    html = upload(client_for("admin"), "/routing/import/", MIXED, encoding="gbk").content.decode()
    assert "已按 GBK 读取" in html
    assert counts(html).startswith("共 5 行：新建 3")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("unit,province,city,district,town,keywords\nWZ-LC01,,,鹿城区,,\n", "第一行必须是表头"),
        (b"\x00\x01\x02binary", "不是文本文件"),
        (b"\xff\xfe\x00W\x00Z", "不是文本文件"),
        (b"a" * (MAX_BYTES + 10), "5 MB"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_imported(client_for, org, data, says):
    response = upload(client_for("admin"), "/routing/import/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert says in html and 'data-testid="import-report"' not in html
    assert ServiceArea.objects.count() == 0


def test_replace_with_a_bad_line_changes_nothing_and_says_so(client_for, org):
    service_areas_import(data=(HEADER + "WZ-DT01,,,洞头区,,\n").encode())
    client = client_for("admin")
    html = upload(client, "/routing/import/", MIXED, replace="on").content.decode()
    assert 'data-testid="replace-refused"' in html and "未作任何替换" in html
    assert areas() == [("WZ-DT01", "洞头区", "", "")]
    good = HEADER + "WZ-LC01,,,鹿城区,,\nWZ-LC02,,,鹿城区,五马街道,\n"
    html = upload(client, "/routing/import/", good, replace="on").content.decode()
    assert counts(html) == "共 2 行：新建 2，更新 0，未变 0，删除 1，拒收 0"
    assert areas() == [("WZ-LC01", "鹿城区", "", ""), ("WZ-LC02", "鹿城区", "五马街道", "")]


UNITS = (
    "code,name,type,parent_code,phone\n"
    "WZ-NEW2,新城投递部,branch,WZ-NEW1,0577-1\n"  # 2 good: its parent comes after it
    "WZ-NEW1,新城支局,branch,WZ,0577-2\n"  # 3 good
    "WZ-BAD,坏单位,shop,WZ,\n"  # 4 unknown type
    "WZ-ORPHAN,孤儿,branch,NOWHERE,\n"  # 5 unknown parent
    "WZ-LC01,鹿城支局（新）,branch,WZ,0577-88881001\n"  # 6 good: an update
)


def test_the_unit_upload_creates_updates_and_reports_each_bad_line(client_for, org):
    client = client_for("admin")
    assert 'href="/org/units/import/"' in client.get("/org/units/").content.decode()
    html = upload(client, "/org/units/import/", UNITS).content.decode()
    assert counts(html) == "共 5 行：新建 2，更新 1，未变 0，删除 0，拒收 2"
    errors = error_lines(html)
    assert sorted(errors) == [4, 5]
    assert "shop" in errors[4] and "NOWHERE" in errors[5]
    assert Unit.objects.get(code="WZ-NEW2").parent.code == "WZ-NEW1"
    assert Unit.objects.get(code="WZ-LC01").name == "鹿城支局（新）"
    assert not Unit.objects.filter(code__in=["WZ-BAD", "WZ-ORPHAN"]).exists()
    gbk = upload(client, "/org/units/import/", UNITS, encoding="gbk").content.decode()
    assert "已按 GBK 读取" in gbk and counts(gbk).startswith("共 5 行：新建 0，更新 0，未变 3")
    wrong = upload(client, "/org/units/import/", "code,name\nX,Y\n")
    assert wrong.status_code == 400 and "第一行必须是表头" in wrong.content.decode()
    assert (
        'href="/org/units/import/"'
        not in client_for("director1").get("/org/units/").content.decode()
    )
