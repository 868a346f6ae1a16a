"""Rebuild the derived tables (delivery attempts, item summaries) for touched waybills.

Set-based, run in the caller's transaction. The caller fills the temporary table
``tracking_touched`` (one row per waybill) and calls :func:`refresh`; ``kpi_rules`` is
the reference these statements are tested against. PostgreSQL: SQL only (items by a
hash aggregate; for a large import items on a second connection beside the attempts).
SQLite: items by one ordered GROUP BY, attempts by the same rules column-at-a-time in
Arrow (``pairing.py``).

The attempt pairing is two window passes per (waybill, office), ordered by event time,
OUT_FOR_DELIVERY before a result at the same instant, then code:
1. ``grp`` = running count of OUT_FOR_DELIVERY events: each OUT_FOR_DELIVERY opens a
   group, results before the first one fall in group 0;
2. inside a group ordered OUT_FOR_DELIVERY first, the next row (``LEAD``) is the
   closing result; later results in the group (``rn >= 3``) and every result in group 0
   close nothing and are attempts of their own.

Local dates and the 20:00 cut-off use Asia/Shanghai. PostgreSQL converts with its time
zone database, the SQLite path with Arrow's (the same IANA rules).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection, transaction

from postdesk.tracking import conf, pairing

_DELIVERY = "('OUT_FOR_DELIVERY', 'DELIVERED', 'DELIVERY_FAILED')"
_FINAL = "('DELIVERED', 'RETURNED')"


def create_touched_table(cursor: Any) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS tracking_touched "
            '(waybill_no varchar(20) COLLATE "C" PRIMARY KEY) ON COMMIT DELETE ROWS'
        )
        # empty already after a commit; not inside one transaction that refreshes twice
        cursor.execute("DELETE FROM tracking_touched")
    else:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS tracking_touched (waybill_no TEXT PRIMARY KEY)"
        )
        cursor.execute("DELETE FROM tracking_touched")


def _pairing_cte() -> str:
    return f"""
    ev AS (
      SELECT e.waybill_no, e.office_code, e.event_code, e.event_time, e.recorded_at,
             e.operator, e.reason,
             CASE WHEN e.event_code = 'OUT_FOR_DELIVERY' THEN 0 ELSE 1 END AS k
      FROM tracking_event e JOIN tracking_touched t ON t.waybill_no = e.waybill_no
      WHERE e.event_code IN {_DELIVERY}
    ),
    g AS (
      SELECT ev.*, SUM(1 - k) OVER (
          PARTITION BY waybill_no, office_code ORDER BY event_time, k, event_code
          ROWS UNBOUNDED PRECEDING) AS grp
      FROM ev
    ),
    r AS (
      SELECT g.*,
        ROW_NUMBER() OVER w AS rn,
        LEAD(event_code) OVER w AS n_code,
        LEAD(event_time) OVER w AS n_time,
        LEAD(recorded_at) OVER w AS n_rec,
        LEAD(operator) OVER w AS n_op,
        LEAD(reason) OVER w AS n_reason,
        MAX(grp) OVER (PARTITION BY waybill_no, office_code) AS last_grp
      FROM g
      WINDOW w AS (PARTITION BY waybill_no, office_code, grp ORDER BY k, event_time, event_code)
    ),
    a AS (
      SELECT waybill_no, office_code, event_time AS anchor_time,
        CASE WHEN k = 0 THEN event_time END AS ofd_time,
        CASE WHEN k = 0 THEN operator ELSE '' END AS ofd_operator,
        CASE WHEN k = 0 THEN n_code ELSE event_code END AS res_code,
        CASE WHEN k = 0 THEN n_time ELSE event_time END AS res_time,
        CASE WHEN k = 0 THEN n_rec ELSE recorded_at END AS res_rec,
        CASE WHEN k = 0 THEN n_op ELSE operator END AS res_op,
        CASE WHEN k = 0 THEN n_reason ELSE reason END AS res_reason,
        CASE WHEN k = 0 AND n_code IS NULL AND grp = last_grp THEN 1 ELSE 0 END AS open_last
      FROM r
      WHERE k = 0 OR grp = 0 OR rn >= 3
    )"""  # noqa: S608 — constant codes and columns; values bound


_ATTEMPT_COLUMNS = (
    "waybill_no, office_code, day, ofd_time, ofd_operator, result_code, result_time, "
    "result_recorded_at, result_operator, result_reason, deadline, chase, chase_after"
)


def _attempts_sql_postgresql() -> tuple[str, list[Any]]:
    cfg = conf.kpi_config()
    tz = cfg.tz.key
    cutoff = cfg.cutoff.isoformat()
    grace = cfg.grace.total_seconds()

    def deadline(col: str) -> str:
        local = f"({col} AT TIME ZONE %s)"
        cut = f"({local}::date + %s::time)"
        return (
            f"CASE WHEN {col} IS NULL THEN NULL WHEN {local} > {cut} "
            f"THEN {col} + make_interval(secs => %s) ELSE ({cut} AT TIME ZONE %s) END"
        )

    dl_params = [tz, tz, cutoff, grace, tz, cutoff, tz]
    sql = f"""
    INSERT INTO tracking_attempt ({_ATTEMPT_COLUMNS})
    WITH {_pairing_cte()}
    SELECT waybill_no, office_code, (anchor_time AT TIME ZONE %s)::date, ofd_time, ofd_operator,
      COALESCE(res_code, ''), res_time, res_rec, COALESCE(res_op, ''), COALESCE(res_reason, ''),
      {deadline("res_time")},
      (open_last = 1 AND NOT EXISTS (
         SELECT 1 FROM tracking_event x WHERE x.waybill_no = a.waybill_no
           AND x.event_code IN {_FINAL} AND x.event_time > a.ofd_time)),
      {deadline("ofd_time")}
    FROM a
    """  # noqa: S608 — constant codes and columns; values bound
    return sql, [tz, *dl_params, *dl_params]


def _items_sql() -> str:
    """Item summaries (PostgreSQL) without sorting the events: one hash aggregate per
    waybill (first and last time, count, final, accepting office), then the last event
    itself found by joining on (waybill, last time); only those few rows are sorted,
    for the highest id among events at the same last instant."""
    p = int(getattr(settings, "TRACKING_CITY_PREFIX_LEN", 4))
    return f"""
    INSERT INTO tracking_item (waybill_no, zone, first_event_time, accepted_office_code,
        last_event_time, last_code, last_office_code, last_office_name, event_count, is_final)
    WITH agg AS MATERIALIZED (
      SELECT e.waybill_no AS w, MIN(e.event_time) AS first_time, MAX(e.event_time) AS last_time,
        COUNT(*) AS n, BOOL_OR(e.event_code IN {_FINAL}) AS fin,
        MIN(e.office_code) FILTER (WHERE e.event_code = 'ACCEPTED') AS acc
      FROM tracking_event e JOIN tracking_touched t ON t.waybill_no = e.waybill_no
      GROUP BY e.waybill_no
    ),
    last AS (
      SELECT DISTINCT ON (e.waybill_no) e.waybill_no, e.event_code, e.event_time, e.office_code,
        e.office_name
      FROM tracking_event e JOIN agg ON agg.w = e.waybill_no AND agg.last_time = e.event_time
      ORDER BY e.waybill_no, e.id DESC
    )
    SELECT agg.w,
      CASE
        WHEN length(agg.w) = 13 AND substr(agg.w, 1, 1) BETWEEN 'A' AND 'Z'
             AND substr(agg.w, 13, 1) BETWEEN 'A' AND 'Z'
             AND substr(agg.w, 12, 2) <> 'CN' THEN 'international'
        WHEN agg.acc IS NOT NULL AND substr(agg.acc, 1, {p}) = substr(l.office_code, 1, {p})
          THEN 'city'
        ELSE 'domestic' END,
      agg.first_time, COALESCE(agg.acc, ''), l.event_time, l.event_code, l.office_code,
      l.office_name, agg.n, agg.fin
    FROM agg JOIN last l ON l.waybill_no = agg.w
    ON CONFLICT (waybill_no) DO UPDATE SET
      zone = excluded.zone, first_event_time = excluded.first_event_time,
      accepted_office_code = excluded.accepted_office_code,
      last_event_time = excluded.last_event_time, last_code = excluded.last_code,
      last_office_code = excluded.last_office_code, last_office_name = excluded.last_office_name,
      event_count = excluded.event_count, is_final = excluded.is_final
    """  # noqa: S608 — constant codes and columns; values bound


def tune_sqlite_connection() -> None:
    """SQLite: sort in memory and keep 256 MiB of pages cached, for this connection.
    Must run outside a transaction (SQLite refuses temp_store changes inside one)."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA temp_store = MEMORY")
            cursor.execute("PRAGMA cache_size = -262144")


def refresh(cursor: Any, *, items_beside: Callable[[Any], None] | None = None) -> None:
    """Rebuild attempts and items of the waybills in ``tracking_touched``.

    PostgreSQL, ``items_beside`` given: the item summaries are rebuilt by that function
    on a second connection in a thread (it fills its own ``tracking_touched`` first)
    while this one rebuilds the attempts: the two statements read the same events, each
    on its own core. It commits on its own; a failure of either is raised here."""
    if connection.vendor != "postgresql":
        refresh_sqlite(cursor)
        return
    helper: threading.Thread | None = None
    failure: list[BaseException] = []
    if items_beside is not None:

        def beside() -> None:
            try:
                with transaction.atomic():
                    other = connection.cursor()
                    create_touched_table(other)
                    items_beside(other)
                    _prepare_postgresql(other)
                    other.execute(_items_sql())
            except BaseException as exc:  # handed to the caller below
                failure.append(exc)
            finally:
                connection.close()

        helper = threading.Thread(target=beside, name="tracking-items", daemon=True)
        helper.start()
    try:
        # One refresh at a time: two transactions rebuilding the same waybill's attempts
        # would each delete, then both insert (SQLite has one writer anyway).
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('postdesk.tracking.refresh'))")
        _prepare_postgresql(cursor)
        cursor.execute(
            "DELETE FROM tracking_attempt a USING tracking_touched t "
            "WHERE a.waybill_no = t.waybill_no"
        )
        sql, params = _attempts_sql_postgresql()
        cursor.execute(sql, params)
        if helper is None:
            cursor.execute(_items_sql())
    finally:
        if helper is not None:
            helper.join()
    if failure:
        raise failure[0]


def _prepare_postgresql(cursor: Any) -> None:
    # JIT compiling these one-off statements costs seconds and saves less on a refresh.
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute("ANALYZE tracking_touched")


def link_offices(cursor: Any) -> None:
    """Point offices at our org units where the codes match."""
    cursor.execute(
        "UPDATE tracking_office SET unit_id = "
        "(SELECT u.id FROM org_unit u WHERE u.code = tracking_office.code) "
        "WHERE unit_id IS NULL AND EXISTS "
        "(SELECT 1 FROM org_unit u WHERE u.code = tracking_office.code)"
    )


# ----------------------------------------------------------------------- SQLite path
# SQLite sorts slowly (three window passes over a temp B-tree); its path streams the
# touched waybills' delivery events once, in the touched table's order (grouped by
# waybill, no sort), and pairs them a chunk of whole waybills at a time with Arrow
# kernels. Timestamps are Django's UTC text, which sorts chronologically.


def _sqlite_dt(value: Any) -> str | None:
    """An aware datetime as Django's SQLite text (UTC, no offset)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value)[:-6]  # drop "+00:00"


def _sqlite_items_sql() -> str:
    """Item summaries in one GROUP BY that follows the touched table's order (no sort).
    The last event is found by the largest "time|id" key; times are padded to
    microseconds so that text order is time order."""
    p = int(getattr(settings, "TRACKING_CITY_PREFIX_LEN", 4))
    return f"""
    INSERT INTO tracking_item (waybill_no, zone, first_event_time, accepted_office_code,
        last_event_time, last_code, last_office_code, last_office_name, event_count, is_final)
    WITH agg AS (
      SELECT t.waybill_no AS w,
        max(substr(e.event_time || '.000000', 1, 26) || printf('%020d', e.id)) AS lk,
        count(*) AS n,
        max(e.event_code IN {_FINAL}) AS fin,
        min(CASE WHEN e.event_code = 'ACCEPTED' THEN e.office_code END) AS acc
      FROM tracking_touched t CROSS JOIN tracking_event e
      WHERE e.waybill_no = t.waybill_no
      GROUP BY t.waybill_no
    )
    SELECT agg.w,
      CASE
        WHEN length(agg.w) = 13 AND substr(agg.w, 1, 1) BETWEEN 'A' AND 'Z'
             AND substr(agg.w, 13, 1) BETWEEN 'A' AND 'Z'
             AND substr(agg.w, 12, 2) <> 'CN' THEN 'international'
        WHEN agg.acc IS NOT NULL AND substr(agg.acc, 1, {p}) = substr(l.office_code, 1, {p})
          THEN 'city'
        ELSE 'domestic' END,
      (SELECT f.event_time FROM tracking_event f WHERE f.waybill_no = agg.w
         ORDER BY f.event_time LIMIT 1),
      COALESCE(agg.acc, ''), l.event_time, l.event_code, l.office_code, l.office_name,
      agg.n, agg.fin
    FROM agg JOIN tracking_event l ON l.id = CAST(substr(agg.lk, 27) AS INTEGER)
    """  # noqa: S608 — constant codes and columns; values bound


def _django_text(ts: Any) -> Any:
    """UTC timestamps as Django's SQLite backend writes them: 'YYYY-MM-DD HH:MM:SS'
    plus '.ffffff' only when there are microseconds (null stays null)."""
    naive = ts.cast(pa.timestamp("us"))
    whole = naive.cast(pa.timestamp("s"), safe=False).cast(pa.string())
    micros = ts.cast(pa.int64())
    frac = pc.subtract(micros, pc.multiply(pc.divide(micros, 1_000_000), 1_000_000))
    return pc.if_else(pc.equal(frac, 0), whole, naive.cast(pa.string()))


def _utc(texts: list[Any]) -> Any:
    """Django's SQLite timestamp text (UTC, no offset) -> Arrow UTC timestamps."""
    return pa.array(texts, pa.string()).cast(pa.timestamp("us")).cast(pairing.TS)


_SQLITE_CHUNK = 25_000


def refresh_sqlite(cursor: Any) -> None:
    """Items in one ordered GROUP BY; attempts from the touched waybills' delivery
    events, read in the touched table's order (grouped by waybill, no sort) a chunk of
    whole waybills at a time and paired column-at-a-time (``pairing``)."""
    cfg = conf.kpi_config()
    raw = connection.connection.cursor()
    raw.execute(
        "DELETE FROM tracking_attempt WHERE waybill_no IN (SELECT waybill_no FROM tracking_touched)"
    )
    raw.execute(
        "DELETE FROM tracking_item WHERE waybill_no IN (SELECT waybill_no FROM tracking_touched)"
    )
    raw.execute(_sqlite_items_sql())
    rows = raw.execute(
        # "|| ''" hands the timestamps over as text, past Django's slow converters.
        "SELECT e.waybill_no, e.event_code, e.event_time || '', e.office_code, "
        "e.recorded_at || '', e.operator, e.reason "
        "FROM tracking_touched t CROSS JOIN tracking_event e "
        "WHERE e.waybill_no = t.waybill_no AND e.event_code IN "
        "('OUT_FOR_DELIVERY', 'DELIVERED', 'DELIVERY_FAILED', 'RETURNED') "
        "ORDER BY t.waybill_no"
    )
    attempt_sql = (
        f"INSERT INTO tracking_attempt ({_ATTEMPT_COLUMNS}) "  # noqa: S608 — constant codes and columns; values bound
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    write = connection.connection.cursor()
    carry: list[tuple[Any, ...]] = []
    while True:
        chunk = rows.fetchmany(_SQLITE_CHUNK)
        if chunk:
            # Keep the last waybill's rows for the next chunk: it may go on there.
            last = chunk[-1][0]
            cut = len(chunk)
            while cut and chunk[cut - 1][0] == last:
                cut -= 1
            if cut:
                ready, carry = carry + chunk[:cut], chunk[cut:]
            else:  # one waybill longer than a chunk
                ready, carry = [], carry + chunk
        else:
            ready, carry = carry, []
        if ready:
            write.executemany(attempt_sql, _attempt_rows(ready, cfg))
        if not chunk:
            return


def _attempt_rows(rows: list[tuple[Any, ...]], cfg: Any) -> list[tuple[Any, ...]]:
    cols = list(zip(*rows, strict=True))
    events = pa.table(
        {
            "waybill_no": pa.array(cols[0], pa.string()),
            "event_code": pa.array(cols[1], pa.string()),
            "event_time": _utc(list(cols[2])),
            "office_code": pa.array(cols[3], pa.string()),
            "recorded_at": _utc(list(cols[4])),
            "operator": pa.array(cols[5], pa.string()),
            "reason": pa.array(cols[6], pa.string()),
        }
    )
    attempts = pairing.pair(events, cfg)
    out = []
    for name in (
        "waybill_no",
        "office_code",
        "day",
        "ofd_time",
        "ofd_operator",
        "result_code",
        "result_time",
        "result_recorded_at",
        "result_operator",
        "result_reason",
        "deadline",
        "chase",
        "chase_after",
    ):
        col = attempts[name]
        if pa.types.is_timestamp(col.type):
            col = _django_text(col.combine_chunks())
        elif pa.types.is_date32(col.type):
            col = col.cast(pa.string())
        out.append(col.to_pylist())
    return list(zip(*out, strict=True))
