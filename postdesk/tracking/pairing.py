"""Delivery attempts from delivery events, column-at-a-time (Arrow kernels).

Pure module (Arrow only, no Django). The same rules as ``kpi_rules.pair_attempts``
(the oracle) and the SQL of ``refresh.py``, for a whole table of events at once, so
that no Python code runs per event:

1. sort by waybill, office, event time, OUT_FOR_DELIVERY before a result, code;
2. ``grp`` = running count of OUT_FOR_DELIVERY inside each (waybill, office): every
   OUT_FOR_DELIVERY opens a group, results before the first fall in group 0;
3. an OUT_FOR_DELIVERY is closed by the next row when it is in the same group; every
   other result (group 0, or not right after the OUT_FOR_DELIVERY) is an attempt of
   its own;
4. an open OUT_FOR_DELIVERY in the last group of its office, with no DELIVERED or
   RETURNED of the item anywhere after it, is to be chased.

Input columns: ``waybill_no``, ``event_code``, ``event_time``, ``office_code``,
``recorded_at`` (timestamps, UTC), ``operator``, ``reason``. RETURNED events only
stop the chase; other codes must not be present. The caller passes every delivery
event of each waybill it passes at all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc

from postdesk.tracking.codes import DELIVERED, OUT_FOR_DELIVERY, RETURNED
from postdesk.tracking.kpi_rules import KpiConfig

TS: Final = pa.timestamp("us", tz="UTC")
ATTEMPT_SCHEMA: Final = pa.schema(
    [
        ("waybill_no", pa.string()),
        ("office_code", pa.string()),
        ("day", pa.date32()),
        ("ofd_time", TS),
        ("ofd_operator", pa.string()),
        ("result_code", pa.string()),
        ("result_time", TS),
        ("result_recorded_at", TS),
        ("result_operator", pa.string()),
        ("result_reason", pa.string()),
        ("deadline", TS),
        ("chase", pa.bool_()),
        ("chase_after", TS),
    ]
)
_SORT: Final = [
    ("waybill_no", "ascending"),
    ("office_code", "ascending"),
    ("event_time", "ascending"),
    ("k", "ascending"),
    ("event_code", "ascending"),
]


def _shift_ne(arr: Any) -> Any:
    """Row i (i >= 1) differs from row i - 1; row 0 is True."""
    return pa.concat_arrays(
        [pa.array([True]), pc.not_equal(arr.slice(1), arr.slice(0, len(arr) - 1))]
    )


def local_date(ts: Any, config: KpiConfig) -> Any:
    """The local calendar date (``config.tz``) of UTC timestamps."""
    return pc.local_timestamp(ts.cast(pa.timestamp("us", tz=config.tz.key))).cast(pa.date32())


def deadlines(ts: Any, config: KpiConfig) -> Any:
    """``kpi_rules.result_deadline`` of each timestamp (null stays null): the cut-off
    on the local date, or the time + grace when it is after the cut-off."""
    local = pc.local_timestamp(ts.cast(pa.timestamp("us", tz=config.tz.key)))
    midnight = local.cast(pa.date32()).cast(pa.timestamp("us"))
    c = config.cutoff
    cut = timedelta(hours=c.hour, minutes=c.minute, seconds=c.second, microseconds=c.microsecond)
    cut_local = pc.add(midnight, pa.scalar(cut, pa.duration("us")))
    cut_utc = pc.assume_timezone(
        cut_local, config.tz.key, ambiguous="earliest", nonexistent="earliest"
    ).cast(TS)
    late = pc.add(ts, pa.scalar(config.grace, pa.duration("us")))
    return pc.if_else(pc.greater(local, cut_local), late, cut_utc)


def pair(events: pa.Table, config: KpiConfig) -> pa.Table:
    """All attempts of ``events`` as a table of :data:`ATTEMPT_SCHEMA`."""
    if events.num_rows == 0:
        return ATTEMPT_SCHEMA.empty_table()
    code = events["event_code"]
    when = events["event_time"].cast(TS)
    # The latest DELIVERED or RETURNED of each waybill (stops the chase).
    finals = pa.table(
        {
            "waybill_no": events["waybill_no"],
            "t": pc.if_else(pc.is_in(code, pa.array([DELIVERED, RETURNED])), when, None),
        }
    )
    last_final = finals.group_by("waybill_no").aggregate([("t", "max")])
    ev = pa.table(
        {
            "waybill_no": events["waybill_no"],
            "office_code": events["office_code"],
            "event_time": when,
            "k": pc.if_else(pc.equal(code, OUT_FOR_DELIVERY), 0, 1).cast(pa.int8()),
            "event_code": code,
            "recorded_at": events["recorded_at"].cast(TS),
            "operator": events["operator"],
            "reason": events["reason"],
        }
    ).filter(pc.not_equal(code, RETURNED))
    n = ev.num_rows
    if n == 0:
        return ATTEMPT_SCHEMA.empty_table()
    ev = ev.take(pc.sort_indices(ev, sort_keys=_SORT)).combine_chunks()
    wb = ev["waybill_no"].chunk(0)
    office = ev["office_code"].chunk(0)
    t = ev["event_time"].chunk(0)
    is_ofd = pc.equal(ev["k"].chunk(0), 0)

    new_part = pc.or_(_shift_ne(wb), _shift_ne(office))
    part_id = pc.subtract(pc.cumulative_sum(new_part.cast(pa.int64())), 1)
    starts = pc.indices_nonzero(new_part).cast(pa.int64())
    ofd_count = is_ofd.cast(pa.int64())
    running = pc.cumulative_sum(ofd_count)
    before = pc.take(pc.subtract(running, ofd_count), starts)
    grp = pc.subtract(running, pc.take(before, part_id))
    ends = pa.concat_arrays([pc.subtract(starts.slice(1), 1), pa.array([n - 1], pa.int64())])
    last_grp = pc.take(pc.take(grp, ends), part_id)
    same_next = pa.concat_arrays(
        [
            pc.and_(
                pc.equal(part_id.slice(1), part_id.slice(0, n - 1)),
                pc.equal(grp.slice(1), grp.slice(0, n - 1)),
            ),
            pa.array([False]),
        ]
    )
    closes_prev = pa.concat_arrays(
        [pa.array([False]), pc.and_(is_ofd.slice(0, n - 1), same_next.slice(0, n - 1))]
    )

    ofd_rows = pc.indices_nonzero(is_ofd).cast(pa.int64())
    closed = pc.take(same_next, ofd_rows)
    ofd_result = pc.if_else(closed, pc.add(ofd_rows, 1), None)
    lone_rows = pc.indices_nonzero(pc.and_(pc.invert(is_ofd), pc.invert(closes_prev))).cast(
        pa.int64()
    )
    n_lone = len(lone_rows)
    anchor = pa.concat_arrays([ofd_rows, lone_rows])
    ofd_idx = pa.concat_arrays([ofd_rows, pa.nulls(n_lone, pa.int64())])
    res_idx = pa.concat_arrays([ofd_result.cast(pa.int64()), lone_rows])

    ofd_time = pc.take(t, ofd_idx)
    result_time = pc.take(t, res_idx)
    waybills = pc.take(wb, anchor)
    final_max = pc.take(
        last_final["t_max"], pc.index_in(waybills, value_set=last_final["waybill_no"])
    )
    open_last = pa.concat_arrays(
        [
            pc.and_(
                pc.invert(closed),
                pc.equal(pc.take(grp, ofd_rows), pc.take(last_grp, ofd_rows)),
            ),
            pa.array([False] * n_lone, pa.bool_()),
        ]
    )
    not_overtaken = pc.or_kleene(pc.is_null(final_max), pc.less_equal(final_max, ofd_time))
    chase = pc.fill_null(pc.and_(open_last, not_overtaken), False)
    return pa.table(
        {
            "waybill_no": waybills,
            "office_code": pc.take(office, anchor),
            "day": local_date(pc.take(t, anchor), config),
            "ofd_time": ofd_time,
            "ofd_operator": pc.fill_null(pc.take(ev["operator"], ofd_idx), ""),
            "result_code": pc.fill_null(pc.take(ev["event_code"], res_idx), ""),
            "result_time": result_time,
            "result_recorded_at": pc.take(ev["recorded_at"], res_idx),
            "result_operator": pc.fill_null(pc.take(ev["operator"], res_idx), ""),
            "result_reason": pc.fill_null(pc.take(ev["reason"], res_idx), ""),
            "deadline": deadlines(result_time, config),
            "chase": chase,
            "chase_after": deadlines(ofd_time, config),
        },
        schema=ATTEMPT_SCHEMA,
    )


__all__ = ["ATTEMPT_SCHEMA", "deadlines", "local_date", "pair"]
