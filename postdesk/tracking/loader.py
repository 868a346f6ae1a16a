"""The hot path of the tracking import: parsed Arrow batches into ``tracking_event``.

Raw SQL on ``django.db.connection``; one transaction per batch (a few MB of the file),
so memory stays flat and a crash loses at most the batch in flight; re-importing is
harmless because the event identity is a unique key.

- PostgreSQL: each batch, sorted by the identity key (the unique index is then written
  page by page), goes in by binary COPY (``pgcopy``) straight into the table inside a
  savepoint. When the batch holds an event that exists already, the savepoint is rolled
  back and the batch goes through a temporary staging table and
  ``INSERT … ON CONFLICT DO NOTHING``; after such a batch the next ones go that way too
  until one comes through without duplicates.
- SQLite: ``executemany`` of ``INSERT OR IGNORE`` (WAL), batch sorted the same way.

Parsing and preparing (Arrow kernels, the binary COPY payload or the text columns for
SQLite) run in a second process one batch or two ahead, so the two cores work at once:
this process only writes to the database. (For an in-memory source, a thread.)
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction

from postdesk.tracking import refresh
from postdesk.tracking.parsing import Batch, Format, Rejected, iter_batches
from postdesk.tracking.pgcopy import copy_payload

EVENT_COLUMNS = (
    "waybill_no",
    "event_code",
    "event_time",
    "office_code",
    "office_name",
    "recorded_at",
    "operator",
    "reason",
    "signer",
    "description",
)
#: Smaller files are parsed in a thread (starting a process costs about a second).
PROCESS_MIN_BYTES = 32 << 20
_SORT = [(c, "ascending") for c in ("waybill_no", "event_code", "event_time", "office_code")]


@dataclass
class LoadResult:
    lines: int = 0
    good: int = 0
    created: int = 0
    rejected: int = 0
    bytes_read: int = 0
    rejected_lines: list[Rejected] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return self.good - self.created


@dataclass
class _Prepared:
    lines: int
    nbytes: int
    rejected: list[Rejected]
    rows: int
    payload: Any  # COPY bytes (PostgreSQL) or an Arrow table of text columns (SQLite)
    offices: list[tuple[str, str]]


def _prefetch(items: Iterator[_Prepared], depth: int = 2) -> Iterator[_Prepared]:
    """Run ``items`` in a thread, ``depth`` ahead."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # handed to the consumer
            q.put(exc)

    thread = threading.Thread(target=work, name="tracking-parse", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def _django_text(ts: Any) -> Any:
    """UTC timestamps as Django's SQLite backend writes them: 'YYYY-MM-DD HH:MM:SS'
    plus '.ffffff' only when there are microseconds."""
    naive = ts.cast(pa.timestamp("us"))
    whole = naive.cast(pa.timestamp("s"), safe=False).cast(pa.string())
    micros = ts.cast(pa.int64())
    frac = pc.subtract(micros, pc.multiply(pc.divide(micros, 1_000_000), 1_000_000))
    return pc.if_else(pc.equal(frac, 0), whole, naive.cast(pa.string()))


def _prepare(batch: Batch, vendor: str, run_id: int | None) -> _Prepared:
    table = batch.table.drop_columns(["line"]).sort_by(_SORT)
    offices_t = table.group_by("office_code").aggregate([("office_name", "max")])
    offices = list(
        zip(
            offices_t["office_code"].to_pylist(),
            offices_t["office_name_max"].to_pylist(),
            strict=True,
        )
    )
    if vendor == "postgresql":
        run_col = pa.array([run_id or 0] * table.num_rows, pa.int64())
        payload: Any = copy_payload(table.append_column("import_run_id", run_col))
    else:
        cols = {}
        for name in EVENT_COLUMNS:
            col = table[name].combine_chunks()
            cols[name] = _django_text(col) if pa.types.is_timestamp(col.type) else col
        payload = pa.table(cols)
    return _Prepared(batch.lines, batch.nbytes, batch.rejected, table.num_rows, payload, offices)


def _sqlite_rows(table: pa.Table) -> list[tuple[Any, ...]]:
    return list(zip(*(table[name].to_pylist() for name in EVENT_COLUMNS), strict=True))


def _produce(
    conn: Any, source: Any, fmt: Format, imported_at: datetime, vendor: str, run_id: int | None
) -> None:
    """Child process: parse and prepare every batch, send each down the pipe."""
    try:
        for batch in iter_batches(source, fmt=fmt, imported_at=imported_at):
            conn.send(_prepare(batch, vendor, run_id))
        conn.send(None)
    except BaseException as exc:  # handed to the parent
        conn.send(exc)
    finally:
        conn.close()


def _prefetch_process(
    source: Any, fmt: Format, imported_at: datetime, vendor: str, run_id: int | None
) -> Iterator[_Prepared]:
    """Parse in a second process (the machine's other core) while this one loads.
    The pipe holds a batch or two: memory stays flat."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_produce, args=(child, source, fmt, imported_at, vendor, run_id), daemon=True
    )
    proc.start()
    child.close()
    try:
        while True:
            item = parent.recv()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        parent.close()
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join()


def _insert_offices(cursor: Any, offices: list[tuple[str, str]]) -> None:
    if not offices:
        return
    if connection.vendor == "postgresql":
        cursor.executemany(
            "INSERT INTO tracking_office (code, name) VALUES (%s, %s) "
            "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name "
            "WHERE tracking_office.name = '' AND EXCLUDED.name <> ''",
            offices,
        )
    else:
        cursor.executemany(
            "INSERT INTO tracking_office (code, name) VALUES (?, ?) "
            "ON CONFLICT (code) DO UPDATE SET name = excluded.name "
            "WHERE tracking_office.name = '' AND excluded.name <> ''",
            offices,
        )


class _PgLoader:
    cols = ", ".join((*EVENT_COLUMNS, "import_run_id"))

    def __init__(self) -> None:
        self.staging = False  # go through staging (the last batch had duplicates)
        self.made_staging = False

    def _staging(self, raw: Any) -> None:
        if not self.made_staging:
            raw.execute(
                "CREATE TEMP TABLE IF NOT EXISTS tracking_event_staging "
                "(LIKE tracking_event INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            raw.execute("ALTER TABLE tracking_event_staging DROP COLUMN IF EXISTS id")
            self.made_staging = True

    def load(self, prepared: _Prepared) -> int:
        from psycopg import errors

        raw = connection.cursor().cursor  # the psycopg cursor under Django's wrapper
        if not self.staging:
            try:
                with (
                    transaction.atomic(),
                    raw.copy(
                        f"COPY tracking_event ({self.cols}) FROM STDIN (FORMAT binary)"
                    ) as copy,
                ):
                    copy.write(prepared.payload)
                return int(prepared.rows)
            except errors.UniqueViolation:
                self.staging = True
        self._staging(raw)
        with raw.copy(
            f"COPY tracking_event_staging ({self.cols}) FROM STDIN (FORMAT binary)"
        ) as copy:
            copy.write(prepared.payload)
        raw.execute(
            f"INSERT INTO tracking_event ({self.cols}) SELECT {self.cols} "  # noqa: S608 — constant columns, int run id; values bound
            "FROM tracking_event_staging ON CONFLICT DO NOTHING"
        )
        created = max(raw.rowcount, 0)
        raw.execute("TRUNCATE tracking_event_staging")
        if created == prepared.rows:
            self.staging = False  # no duplicates in this one: try the fast way again
        return int(created)


class _SqliteLoader:
    sql = (
        f"INSERT OR IGNORE INTO tracking_event ({', '.join(EVENT_COLUMNS)}, import_run_id) "  # noqa: S608 — constant columns, int run id; values bound
        f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))}, %d)"
    )

    def __init__(self, run_id: int | None) -> None:
        self.sql = self.sql % int(run_id or 0) if run_id else self.sql.replace("%d", "NULL")

    def load(self, prepared: _Prepared) -> int:
        raw = connection.connection.cursor()
        before = connection.connection.total_changes
        raw.executemany(self.sql, _sqlite_rows(prepared.payload))
        return int(connection.connection.total_changes - before)


def scan(source: str | Path | IO[bytes], *, fmt: Format, imported_at: datetime) -> LoadResult:
    """Parse only: count lines and collect rejections (``--strict``'s first pass)."""
    result = LoadResult()
    for batch in iter_batches(source, fmt=fmt, imported_at=imported_at):
        result.lines += batch.lines
        result.good += batch.table.num_rows
        result.rejected += len(batch.rejected)
        result.bytes_read += batch.nbytes
        result.rejected_lines.extend(batch.rejected)
    return result


def load(
    source: str | Path | IO[bytes],
    *,
    fmt: Format,
    imported_at: datetime,
    run_id: int | None,
    on_batch: Callable[[LoadResult, list[Rejected]], None] | None = None,
    keep_rejected: int = 1000,
    workers: int = 2,
) -> LoadResult:
    """Load every good line; ``on_batch`` runs inside each batch's transaction with the
    running totals and that batch's rejected lines. With ``workers`` > 1 and a file
    path, parsing runs in a second process; otherwise in a thread."""
    connection.ensure_connection()
    vendor = connection.vendor
    # SQLite: a large page cache keeps the identity index's hot pages in memory.
    refresh.tune_sqlite_connection()
    loader: Any = _PgLoader() if vendor == "postgresql" else _SqliteLoader(run_id)
    result = LoadResult()
    prepared_iter: Iterator[_Prepared]
    if (
        isinstance(source, (str, Path))
        and workers > 1
        and os.path.getsize(source) >= PROCESS_MIN_BYTES
        # a daemonic process (a Celery prefork worker) may not start children
        and not multiprocessing.current_process().daemon
    ):
        prepared_iter = _prefetch_process(source, fmt, imported_at, vendor, run_id)
    else:
        prepared_iter = _prefetch(
            _prepare(b, vendor, run_id)
            for b in iter_batches(source, fmt=fmt, imported_at=imported_at)
        )
    for prepared in prepared_iter:
        with transaction.atomic():
            cursor = connection.cursor()
            if prepared.rows:
                result.created += loader.load(prepared)
                _insert_offices(cursor, prepared.offices)
            result.lines += prepared.lines
            result.good += prepared.rows
            result.rejected += len(prepared.rejected)
            result.bytes_read += prepared.nbytes
            room = keep_rejected - len(result.rejected_lines)
            if room > 0:
                result.rejected_lines.extend(prepared.rejected[:room])
            if on_batch is not None:
                on_batch(result, prepared.rejected)
    return result
