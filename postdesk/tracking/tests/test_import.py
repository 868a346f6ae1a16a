"""Import against the real database (SQLite and PostgreSQL): idempotency, rejected
lines kept for download, --strict, the command's JSON, offices linked to units."""

from __future__ import annotations

import contextlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from postdesk.tracking.models import Attempt, Event, ImportRejection, ImportRun, Item, Office
from postdesk.tracking.services import rejected_lines_csv, tracking_import
from postdesk.tracking.tests import kpi_fixtures as fx

pytestmark = pytest.mark.django_db(transaction=True)

BAD = [
    "EA473124828CN,2024-03-04T08:00:00,DELIVERED,325000,,,,,,",  # check digit
    "9700000000001,2024-03-04T08:00:00,TELEPORTED,325000,,,,,,",  # unknown code
    "9700000000001,not-a-time,DELIVERED,325000,,,,,,",  # time
    "9700000000001,2024-03-04T08:00:00,DELIVERED,,,,,,,",  # office
]


def write(tmp_path: Path, rows: list[str], name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(fx.csv_text(rows), encoding="utf-8")
    return path


def run_command(*args: str) -> dict:
    out = StringIO()
    with contextlib.suppress(SystemExit):
        call_command("import_tracking", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_import_is_idempotent(tmp_path: Path) -> None:
    path = write(tmp_path, fx.ALL)
    first = run_command(str(path))
    assert first["lines"] == len(fx.ALL) and first["created"] == len(fx.ALL)
    assert first["duplicates"] == 0 and first["rejected"] == 0
    attempts = Attempt.objects.count()
    second = run_command(str(path))
    assert second["created"] == 0 and second["duplicates"] == len(fx.ALL)
    assert Event.objects.count() == len(fx.ALL)
    assert Attempt.objects.count() == attempts == 10
    assert Item.objects.count() == 8


def test_same_instant_with_another_offset_is_a_duplicate(tmp_path: Path) -> None:
    a = "9700000000001,2024-03-04T08:00:00,DELIVERED,325000,,,,,,"
    b = "9700000000001,2024-03-04T00:00:00Z,妥投,325000,,,,,,"
    result = run_command(str(write(tmp_path, [a, b])))
    assert (result["created"], result["duplicates"]) == (1, 1)


def test_bad_lines_rejected_good_lines_imported(tmp_path: Path) -> None:
    rows = fx.REDELIVERY[:2] + BAD + fx.REDELIVERY[2:]
    result = run_command(str(write(tmp_path, rows)))
    assert result["lines"] == 8 and result["created"] == 4 and result["rejected"] == 4
    assert [r["line"] for r in result["rejected_lines"]] == [4, 5, 6, 7]
    run = ImportRun.objects.get(pk=result["import_id"])
    assert list(run.rejections.values_list("line", flat=True)) == [4, 5, 6, 7]
    download = rejected_lines_csv(run=run)
    assert "EA473124828CN" in download and "S10 check digit" in download


def test_strict_rejects_the_whole_file(tmp_path: Path) -> None:
    rows = fx.REDELIVERY + BAD[:1]
    result = run_command(str(write(tmp_path, rows)), "--strict")
    assert result["status"] == "failed" and result["created"] == 0 and result["rejected"] == 1
    assert Event.objects.count() == 0
    assert ImportRejection.objects.filter(line=6).exists()
    ok = run_command(str(write(tmp_path, fx.REDELIVERY, "ok.csv")), "--strict")
    assert ok["status"] == "done" and ok["created"] == 4


def test_jsonl_import(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    keys = fx.HEADER.split(",")
    path.write_text(
        "\n".join(
            json.dumps(dict(zip(keys, r.split(","), strict=True)), ensure_ascii=False)
            for r in fx.ALL
        )
        + "\n{oops\n",
        encoding="utf-8",
    )
    result = run_command(str(path))
    assert result["created"] == len(fx.ALL) and result["rejected"] == 1


def test_offices_kept_and_linked_to_units(tmp_path: Path, org) -> None:
    unit_code = next(iter(org))
    rows = [
        f"9700000000001,2024-03-04T08:00:00,DELIVERED,{unit_code},本单位,,,,,",
        "9700000000001,2024-03-03T08:00:00,ARRIVED,999999,外局,,,,,",
    ]
    run_command(str(write(tmp_path, rows)))
    assert Office.objects.get(code=unit_code).unit == org[unit_code]
    outside = Office.objects.get(code="999999")
    assert outside.unit is None and outside.name == "外局"


def test_service_import_returns_run(tmp_path: Path) -> None:
    run = tracking_import(path=write(tmp_path, fx.RESULT_ONLY))
    assert run.status == ImportRun.Status.DONE and run.refreshed and run.created == 1


def test_demo_seed_is_idempotent(org) -> None:
    from postdesk.tracking import demo

    demo.seed()
    events = Event.objects.count()
    assert events > 400 and Attempt.objects.filter(chase=True).exists()
    assert Office.objects.get(code="WZ-LC02").unit == org["WZ-LC02"]
    demo.seed()
    assert Event.objects.count() == events


def test_rejection_reasons_are_in_the_catalogue() -> None:
    from postdesk.tracking import parsing, views

    reasons = {v for k, v in vars(parsing).items() if k.startswith("R_")}
    assert reasons == set(views.REASONS)


def test_parsing_in_a_second_process(tmp_path: Path, monkeypatch) -> None:
    from postdesk.tracking import loader

    monkeypatch.setattr(loader, "PROCESS_MIN_BYTES", 0)
    rows = fx.REDELIVERY[:2] + BAD + fx.REDELIVERY[2:]
    result = run_command(str(write(tmp_path, rows)))
    assert (result["created"], result["rejected"]) == (4, 4)
    assert [r["line"] for r in result["rejected_lines"]] == [4, 5, 6, 7]
