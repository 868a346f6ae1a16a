"""The column-at-a-time pairing (``pairing.pair``) against the reference rules
(``kpi_rules.pair_attempts``) on random events, ties and all."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pyarrow as pa
import pytest

from postdesk.tracking import kpi_rules, pairing
from postdesk.tracking.codes import DELIVERED, DELIVERY_FAILED, OUT_FOR_DELIVERY, RETURNED

CODES = [OUT_FOR_DELIVERY, OUT_FOR_DELIVERY, DELIVERED, DELIVERY_FAILED, RETURNED]


def random_events(rng: random.Random, n: int) -> list[kpi_rules.Event]:
    base = datetime(2024, 3, 10, 9, tzinfo=UTC)
    seen: dict[tuple, kpi_rules.Event] = {}
    for _ in range(n):
        code = rng.choice(CODES)
        wb = f"97000000000{rng.randrange(4):02d}"
        office = rng.choice(["325000", "325100"])
        t = base + timedelta(hours=rng.randrange(0, 30) * 3)  # many ties, across midnight
        rec = t + timedelta(minutes=rng.randrange(0, 900))
        e = kpi_rules.Event(wb, code, t, office, rec, f"op{rng.randrange(3)}", "r")
        seen[(wb, code, t, office)] = e  # the identity: one event per key
    return list(seen.values())


def table(events: list[kpi_rules.Event]) -> pa.Table:
    return pa.table(
        {
            "waybill_no": [e.waybill_no for e in events],
            "event_code": [e.code for e in events],
            "event_time": pa.array([e.event_time for e in events], pairing.TS),
            "office_code": [e.office_code for e in events],
            "recorded_at": pa.array([e.recorded_at for e in events], pairing.TS),
            "operator": [e.operator for e in events],
            "reason": [e.reason for e in events],
        }
    )


def reference(events: list[kpi_rules.Event], cfg: kpi_rules.KpiConfig) -> list[tuple]:
    pairable = [e for e in events if e.code != RETURNED]
    out = []
    for a in kpi_rules.pair_attempts(pairable, cfg):
        chase = False
        if a.ofd is not None and a.result is None:
            later_ofd = any(
                e.code == OUT_FOR_DELIVERY
                and e.waybill_no == a.waybill_no
                and e.office_code == a.office_code
                and e.event_time > a.ofd.event_time
                for e in events
            )
            overtaken = any(
                e.code in (DELIVERED, RETURNED)
                and e.waybill_no == a.waybill_no
                and e.event_time > a.ofd.event_time
                for e in events
            )
            chase = not later_ofd and not overtaken
        out.append(
            (
                a.waybill_no,
                a.office_code,
                a.day,
                a.ofd.event_time if a.ofd else None,
                a.ofd.operator if a.ofd else "",
                a.result.code if a.result else "",
                a.result.event_time if a.result else None,
                a.result.recorded_at if a.result else None,
                a.result.operator if a.result else "",
                a.deadline,
                chase,
                kpi_rules.chase_after(a.ofd.event_time, cfg) if a.ofd else None,
            )
        )
    return sorted(out, key=repr)


def columnar(events: list[kpi_rules.Event], cfg: kpi_rules.KpiConfig) -> list[tuple]:
    rows = pairing.pair(table(events), cfg).to_pylist()
    return sorted(
        (
            (
                r["waybill_no"],
                r["office_code"],
                r["day"],
                r["ofd_time"],
                r["ofd_operator"],
                r["result_code"],
                r["result_time"],
                r["result_recorded_at"],
                r["result_operator"],
                r["deadline"],
                r["chase"],
                r["chase_after"],
            )
            for r in rows
        ),
        key=repr,
    )


@pytest.mark.parametrize("seed", range(40))
def test_matches_reference_rules(seed: int) -> None:
    rng = random.Random(seed)
    cfg = kpi_rules.DEFAULT_CONFIG
    if seed % 5 == 4:
        cfg = kpi_rules.KpiConfig(cutoff=time(18, 30), grace=timedelta(hours=3))
    events = random_events(rng, rng.randrange(1, 40))
    assert columnar(events, cfg) == reference(events, cfg)


def test_empty_and_returned_only() -> None:
    cfg = kpi_rules.DEFAULT_CONFIG
    assert pairing.pair(table([]), cfg).num_rows == 0
    t = datetime(2024, 3, 10, 9, tzinfo=UTC)
    only = [kpi_rules.Event("9700000000001", RETURNED, t, "325000", t)]
    assert pairing.pair(table(only), cfg).num_rows == 0


def test_deadlines_follow_the_reference() -> None:
    cfg = kpi_rules.DEFAULT_CONFIG
    times = [datetime(2024, 3, 10, h, m, tzinfo=UTC) for h in range(0, 24, 1) for m in (0, 30, 59)]
    got = pairing.deadlines(pa.array([*times, None], pairing.TS), cfg).to_pylist()
    assert got == [kpi_rules.result_deadline(t, cfg) for t in times] + [None]


def test_only_closed_attempts() -> None:
    """No attempt of its own among them (every result closes an OUT_FOR_DELIVERY)."""
    cfg = kpi_rules.DEFAULT_CONFIG
    t = datetime(2024, 3, 10, 1, tzinfo=UTC)
    events = [
        kpi_rules.Event("9700000000001", OUT_FOR_DELIVERY, t, "325000", t, "c1"),
        kpi_rules.Event("9700000000001", DELIVERED, t + timedelta(hours=2), "325000", t, "c1"),
        kpi_rules.Event("9700000000002", OUT_FOR_DELIVERY, t, "325000", t, "c2"),
    ]
    assert columnar(events, cfg) == reference(events, cfg)
    assert [r["chase"] for r in pairing.pair(table(events), cfg).to_pylist()] == [False, True]
