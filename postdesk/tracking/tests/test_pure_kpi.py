"""The KPI rules (kpi_rules, the oracle) on hand-made scenarios, read through the
real parser. No database."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from postdesk.tracking import kpi_rules
from postdesk.tracking.kpi_rules import (
    Event,
    KpiConfig,
    month_report,
    pair_attempts,
    result_deadline,
)
from postdesk.tracking.parsing import iter_batches
from postdesk.tracking.tests import kpi_fixtures as fx

IMPORTED = datetime(2024, 4, 1, tzinfo=UTC)


def events_of(rows: list[str]) -> list[Event]:
    out: list[Event] = []
    for batch in iter_batches(io.BytesIO(fx.csv_text(rows).encode()), imported_at=IMPORTED):
        assert batch.rejected == []
        for r in batch.table.to_pylist():
            out.append(
                Event(
                    r["waybill_no"],
                    r["event_code"],
                    r["event_time"],
                    r["office_code"],
                    r["recorded_at"],
                    r["operator"],
                )
            )
    return out


AS_OF = datetime.fromisoformat(fx.AS_OF)
MARCH = {"start": date(2024, 3, 1), "end": date(2024, 4, 1)}


def daily(rows: list[str]) -> dict[str, list[int]]:
    return month_report(events_of(rows), **MARCH, as_of=AS_OF)["daily"]  # type: ignore[return-value]


def test_redelivery_next_day_is_two_attempts_on_two_days() -> None:
    assert daily(fx.REDELIVERY) == {"325000|2024-03-04": [1, 1, 1], "325000|2024-03-05": [1, 1, 1]}


def test_result_after_cutoff_gets_two_hours() -> None:
    assert daily(fx.AFTER_CUTOFF) == {"325000|2024-03-06": [2, 2, 1]}
    cst = kpi_rules.SHANGHAI
    assert result_deadline(datetime(2024, 3, 6, 21, 0, tzinfo=cst)) == datetime(
        2024, 3, 6, 23, 0, tzinfo=cst
    )
    assert result_deadline(datetime(2024, 3, 6, 20, 0, tzinfo=cst)) == datetime(
        2024, 3, 6, 20, 0, tzinfo=cst
    )
    assert result_deadline(datetime(2024, 3, 6, 10, 0, tzinfo=cst)) == datetime(
        2024, 3, 6, 20, 0, tzinfo=cst
    )


def test_cutoff_and_grace_are_configurable() -> None:
    cfg = KpiConfig(cutoff=kpi_rules.time(18, 0), grace=kpi_rules.timedelta(hours=1))
    cst = kpi_rules.SHANGHAI
    assert result_deadline(datetime(2024, 3, 6, 18, 30, tzinfo=cst), cfg) == datetime(
        2024, 3, 6, 19, 30, tzinfo=cst
    )


def test_result_only_attempt() -> None:
    attempts = pair_attempts(events_of(fx.RESULT_ONLY))
    assert len(attempts) == 1 and attempts[0].ofd is None
    assert daily(fx.RESULT_ONLY) == {"325100|2024-03-07": [1, 1, 0]}


def test_result_recorded_after_as_of_is_neither_online_nor_timely() -> None:
    assert daily(fx.RECORDED_AFTER_AS_OF) == {"325100|2024-03-31": [1, 0, 0]}
    later = datetime(2024, 3, 31, 14, 0, tzinfo=kpi_rules.SHANGHAI)
    assert month_report(events_of(fx.RECORDED_AFTER_AS_OF), **MARCH, as_of=later)["daily"] == {
        "325100|2024-03-31": [1, 1, 1]
    }


def test_times_with_utc_offset_use_the_local_day() -> None:
    assert daily(fx.UTC_OFFSET) == {"325100|2024-03-09": [1, 1, 1]}


def test_chinese_code_aliases_and_a_second_result() -> None:
    attempts = pair_attempts(events_of(fx.CHINESE_ALIASES))
    assert sorted(a.result.code for a in attempts if a.result) == ["DELIVERED", "DELIVERY_FAILED"]
    assert daily(fx.CHINESE_ALIASES) == {"325000|2024-03-10": [2, 2, 2]}


def test_all_scenarios_together() -> None:
    report = month_report(events_of(fx.ALL), **MARCH, as_of=AS_OF)
    assert report["daily"] == dict(sorted(fx.EXPECTED_DAILY.items()))
    centre = report["centre"]
    assert centre["attempts"] == 10 and centre["online"] == 8 and centre["timely"] == 6  # type: ignore[index]


def test_same_instant_result_closes_the_attempt() -> None:
    t = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
    evs = [
        Event("9700000000009", "OUT_FOR_DELIVERY", t, "1", t),
        Event("9700000000009", "DELIVERED", t, "1", t),
    ]
    attempts = pair_attempts(evs)
    assert len(attempts) == 1 and attempts[0].result is not None


def test_naive_times_refused() -> None:
    with pytest.raises(ValueError):
        Event("9700000000009", "DELIVERED", datetime(2024, 3, 1), "1", datetime(2024, 3, 1))
