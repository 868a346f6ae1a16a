"""`postdesk import_units`: upsert by code, rows in any order, bad lines reported."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from postdesk.core.errors import ValidationFailed
from postdesk.org.models import Unit, UnitChange
from postdesk.org.services import units_import

pytestmark = pytest.mark.django_db

HEADER = "code,name,type,parent_code,phone\n"


def tree():
    return {
        u.code: (u.name, u.type, u.parent.code if u.parent else "", u.phone)
        for u in Unit.objects.select_related("parent")
    }


def test_children_before_parents_and_idempotent(db):
    data = (
        HEADER + "LC-01,鹿城支局,branch,WZ,0577-1\n"
        "WZ,温州市邮政局,city_bureau,,0577-0\n"
        "LC-01-A,五马投递部,branch,LC-01,\n"
    ).encode()
    report = units_import(data=data)
    assert (report.lines, report.created, report.updated, report.rejected) == (3, 3, 0, 0)
    assert tree() == {
        "WZ": ("温州市邮政局", "city_bureau", "", "0577-0"),
        "LC-01": ("鹿城支局", "branch", "WZ", "0577-1"),
        "LC-01-A": ("五马投递部", "branch", "LC-01", ""),
    }
    units = {u.code: u for u in Unit.objects.all()}
    assert units["LC-01-A"].path == f"/{units['WZ'].pk}/{units['LC-01'].pk}/{units['LC-01-A'].pk}/"
    again = units_import(data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_upsert_renames_and_moves_with_history(org):
    data = (HEADER + "WZ-LC02,五马揽投部,branch,WZ-LC01,0577-9\n").encode()
    report = units_import(data=data)
    assert (report.created, report.updated) == (0, 1)
    unit = Unit.objects.get(code="WZ-LC02")
    assert (unit.name, unit.parent.code, unit.phone) == ("五马揽投部", "WZ-LC01", "0577-9")
    assert unit.path.startswith(Unit.objects.get(code="WZ-LC01").path)
    assert set(UnitChange.objects.filter(unit=unit).values_list("field", flat=True)) == {
        "parent",
        "name",
    }


def test_bad_lines(org):
    before = tree()
    data = (
        (
            HEADER + "N1,新支局,branch,WZ,\n"  # 2 good
            "N2,坏类型,kiosk,WZ,\n"  # 3 unknown type
            "N3,无上级,branch,NOPE,\n"  # 4 unknown parent
            "N4,,branch,WZ,\n"  # 5 no name
            "N1,重复,branch,WZ,\n"  # 6 code twice
            "L1,环一,branch,L2,\n"  # 7 loop
            "L2,环二,branch,L1,\n"  # 8 loop
            "N5,自己,branch,N5,\n"  # 9 own parent
            "N6,坏上级的下级,branch,N2,\n"  # 10 parent rejected
            "WZ,温州市邮政局,city_bureau,WZ-LC01,\n"  # 11 would move under its own child
            "N7,太多,branch,WZ,,x\n"  # 12 too many fields
            "N8\x07,控制字符,branch,WZ,\n"  # 13 control character
        ).encode()
    )
    report = units_import(data=data)
    doc = report.as_dict()
    assert (doc["lines"], doc["created"], doc["rejected"]) == (12, 1, 11)
    reasons = {e["line"]: e["reason"] for e in doc["errors"]}
    assert sorted(reasons) == list(range(3, 14))
    assert "kiosk" in reasons[3]
    assert "NOPE" in reasons[4]
    assert "2" in reasons[6]  # the line it is already on
    assert "L1" in reasons[7] or "L2" in reasons[7]
    assert "N2" in reasons[10]
    after = tree()
    assert after.pop("N1") == ("新支局", "branch", "WZ", "")
    assert after == before


def test_unreadable_files(db):
    with pytest.raises(ValidationFailed) as caught:
        units_import(data=b"code;name;type\n")
    assert "code,name,type,parent_code,phone" in str(caught.value.fields["file"])
    report = units_import(data=(HEADER + "WZ,温州市邮政局,city_bureau,,\n").encode("gbk"))
    assert report.encoding == "gbk" and Unit.objects.get(code="WZ").name == "温州市邮政局"


def test_the_command(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(HEADER + "WZ,温州市邮政局,city_bureau,,\nX,坏,kiosk,WZ,\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_units", str(path), "--json", stdout=out)
    assert exited.value.code == 2
    doc = json.loads(out.getvalue())
    assert doc["lines"] == 2 and doc["created"] == 1 and doc["updated"] == 0
    assert doc["rejected"] == 1 and doc["errors"][0]["line"] == 3
    out = io.StringIO()
    path.write_text(HEADER + "WZ,温州市邮政局,city_bureau,,\n", encoding="utf-8")
    call_command("import_units", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["unchanged"] == 1
