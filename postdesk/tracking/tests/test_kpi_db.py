"""The SQL (attempts refresh + KPI selector) against the reference rules, on the
hand-made scenarios and on a generated month; result entry and the chase list."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from postdesk.core.periods import Month
from postdesk.tracking import kpi_rules
from postdesk.tracking.models import Attempt, Event
from postdesk.tracking.selectors import (
    chase_list,
    delivery_kpi_centre,
    parcel_view,
    stale_items,
)
from postdesk.tracking.services import delivery_result_record, tracking_import
from postdesk.tracking.tests import kpi_fixtures as fx

pytestmark = pytest.mark.django_db(transaction=True)
AS_OF = datetime.fromisoformat(fx.AS_OF)


def load(tmp_path: Path, rows: list[str]) -> None:
    path = tmp_path / f"e{random.random()}.csv"
    path.write_text(fx.csv_text(rows), encoding="utf-8")
    run = tracking_import(path=path)
    assert run.rejected == 0, list(run.rejections.values())


MARCH = Month(2024, 3)


def oracle(month: Month, as_of: datetime) -> dict:
    events = [
        kpi_rules.Event(
            e.waybill_no, e.event_code, e.event_time, e.office_code, e.recorded_at, e.operator
        )
        for e in Event.objects.all()
    ]
    return kpi_rules.month_report(
        events, start=month.first_day, end=month.next_first_day, as_of=as_of
    )


def without_meta(doc: dict) -> dict:
    return {k: doc[k] for k in ("centre", "offices", "daily")}


@pytest.mark.parametrize(
    "scenario",
    [
        "REDELIVERY",
        "AFTER_CUTOFF",
        "RESULT_ONLY",
        "RECORDED_AFTER_AS_OF",
        "UTC_OFFSET",
        "CHINESE_ALIASES",
        "NO_RESULT",
    ],
)
def test_each_rule_matches_expected_and_oracle(tmp_path: Path, scenario: str) -> None:
    load(tmp_path, getattr(fx, scenario))
    doc = delivery_kpi_centre(month=MARCH, as_of=AS_OF)
    expected = {k: v for k, v in fx.EXPECTED_DAILY.items() if k in doc["daily"]}
    assert doc["daily"] == expected and expected
    assert without_meta(doc) == oracle(MARCH, AS_OF)


def test_all_scenarios_and_command_json(tmp_path: Path) -> None:
    load(tmp_path, fx.ALL)
    out = io.StringIO()
    call_command("delivery_kpi", "--month", "2024-03", "--as-of", fx.AS_OF, "--json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["daily"] == fx.EXPECTED_DAILY
    assert (
        doc["centre"]["attempts"] == 10
        and doc["centre"]["online"] == 8
        and doc["centre"]["timely"] == 6
    )
    assert doc["centre"]["online_rate"] == pytest.approx(0.8)
    assert doc["offices"]["325000"] == {"attempts": 7, "online": 6, "timely": 5}


def test_import_in_two_parts_gives_the_same_attempts(tmp_path: Path) -> None:
    rows = list(fx.ALL)
    random.Random(7).shuffle(rows)
    load(tmp_path, rows[: len(rows) // 2])
    load(tmp_path, rows[len(rows) // 2 :])
    assert without_meta(delivery_kpi_centre(month=MARCH, as_of=AS_OF)) == oracle(MARCH, AS_OF)


def test_generated_month_matches_oracle(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    from tracking_gen import generate

    path = tmp_path / "gen.csv"
    generate(3000, path, seed=11)
    run = tracking_import(path=path)
    assert run.rejected == 0
    for as_of in (
        datetime(2024, 3, 20, tzinfo=UTC),
        datetime(2024, 5, 1, tzinfo=UTC),
    ):
        assert without_meta(delivery_kpi_centre(month=MARCH, as_of=as_of)) == oracle(MARCH, as_of)


def test_result_entry_leaves_chase_list_and_shows_in_next_report(tmp_path: Path, staff) -> None:
    load(tmp_path, fx.NO_RESULT)
    now = datetime(2024, 3, 11, 21, 0, tzinfo=kpi_rules.SHANGHAI)
    chased = chase_list(user=staff["agent1"], now=now)
    assert [a.waybill_no for a in chased] == ["9700000000007"]
    assert chase_list(user=staff["agent1"], now=now - timedelta(hours=2)) == []  # before cut-off
    before = delivery_kpi_centre(month=MARCH, as_of=now)["daily"]["325000|2024-03-11"]
    assert before == [1, 0, 0]
    agent = staff["agent1"]
    event = delivery_result_record(
        user=agent,
        waybill_no="9700000000007",
        result="failed",
        reason="收件人不在",
        event_time=now - timedelta(hours=3),
        now=now,
    )
    assert event.office_code == "325000" and event.recorded_at == now and event.entered_by == agent
    assert chase_list(user=staff["agent1"], now=now) == []
    assert delivery_kpi_centre(month=MARCH, as_of=now)["daily"]["325000|2024-03-11"] == [1, 1, 0]
    view = parcel_view(user=agent, waybill_no="9700000000007", now=now)
    assert view is not None and view.status_code == "DELIVERY_FAILED" and not view.chase


def test_result_entry_validation(tmp_path: Path, staff) -> None:
    from postdesk.core.errors import Conflict, ValidationFailed

    load(tmp_path, fx.NO_RESULT)
    now = datetime(2024, 3, 11, 21, 0, tzinfo=kpi_rules.SHANGHAI)
    with pytest.raises(ValidationFailed) as err:
        delivery_result_record(
            user=staff["agent1"], waybill_no="EA473124828CN", result="failed", now=now
        )
    assert set(err.value.fields) >= {"waybill_no", "reason"}
    t = now - timedelta(hours=1)
    delivery_result_record(
        user=staff["agent1"],
        waybill_no="9700000000007",
        result="delivered",
        signer="本人",
        event_time=t,
        now=now,
    )
    with pytest.raises(Conflict):
        delivery_result_record(
            user=staff["agent1"],
            waybill_no="9700000000007",
            result="delivered",
            event_time=t,
            now=now,
        )
    assert Attempt.objects.get(waybill_no="9700000000007").result_code == "DELIVERED"


def test_stale_items_by_zone(tmp_path: Path, staff) -> None:
    load(
        tmp_path,
        [
            "9700000000008,2024-03-01T08:00:00,ARRIVED,325000,,,,,,",
            "RR473124829US,2024-03-01T08:00:00,ARRIVED,325000,,,,,,",
        ],
    )
    now = datetime(2024, 3, 10, tzinfo=UTC)
    # domestic: 7 days
    assert [i.waybill_no for i in stale_items(user=staff["agent1"], now=now)] == ["9700000000008"]
    later = datetime(2024, 3, 25, tzinfo=UTC)
    assert {i.waybill_no for i in stale_items(user=staff["agent1"], now=later)} == {
        "9700000000008",
        "RR473124829US",
    }


def expected_items() -> dict[str, tuple]:
    """Item summaries computed the obvious way from the stored events."""
    by_waybill: dict[str, list[Event]] = {}
    for e in Event.objects.order_by("id"):
        by_waybill.setdefault(e.waybill_no, []).append(e)
    out = {}
    for wb, events in by_waybill.items():
        last = max(events, key=lambda e: (e.event_time, e.id))
        accepted = sorted(e.office_code for e in events if e.event_code == "ACCEPTED")
        out[wb] = (
            min(e.event_time for e in events),
            accepted[0] if accepted else "",
            last.event_time,
            last.event_code,
            last.office_code,
            last.office_name,
            len(events),
            any(e.event_code in ("DELIVERED", "RETURNED") for e in events),
        )
    return out


def stored_items() -> dict[str, tuple]:
    from postdesk.tracking.models import Item

    return {
        i.waybill_no: (
            i.first_event_time,
            i.accepted_office_code,
            i.last_event_time,
            i.last_code,
            i.last_office_code,
            i.last_office_name,
            i.event_count,
            i.is_final,
        )
        for i in Item.objects.all()
    }


@pytest.mark.parametrize("mode", ["plain", "parallel", "small_chunks"])
def test_generated_items_and_attempts(tmp_path: Path, monkeypatch, mode: str) -> None:
    """The import's refresh (on PostgreSQL, large runs rebuild items on a second
    connection beside the attempts; on SQLite attempts are paired a chunk of whole
    waybills at a time) gives the reference attempts and item summaries, also when a
    second file adds events to known waybills (same last instant, new id)."""
    import sys

    from postdesk.tracking import refresh, services

    if mode == "parallel":
        monkeypatch.setattr(services, "PARALLEL_REFRESH_MIN_EVENTS", 1)
    if mode == "small_chunks":
        monkeypatch.setattr(refresh, "_SQLITE_CHUNK", 3)
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    from tracking_gen import generate

    path = tmp_path / "gen.csv"
    generate(2000, path, seed=5)
    assert tracking_import(path=path).rejected == 0
    some = list(Event.objects.order_by("id").values_list("waybill_no", flat=True)[:400:40])
    extra = [
        f"{wb},{Event.objects.filter(waybill_no=wb).order_by('-event_time')[0].event_time.isoformat()},"
        f"INFO,999999,后来的,,,,,"
        for wb in some
    ]
    load(tmp_path, extra)
    assert stored_items() == expected_items()
    as_of = datetime(2024, 5, 1, tzinfo=UTC)
    assert without_meta(delivery_kpi_centre(month=MARCH, as_of=as_of)) == oracle(MARCH, as_of)
