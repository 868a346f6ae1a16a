"""Where a background export's CPU time goes, per row (issue 17): run against the database
that `bench/exports_bench.py --keep` (or `--reuse`) leaves behind.

Stages, each timed with `time.process_time()` (this process only; PostgreSQL's own CPU
is not in it) over the same rows:

1. the query and its iteration, nothing done with the rows: Django's
   `values_list(...).iterator(chunk_size)`, then `core.exportlists.stream_values` (what
   the lists use: psycopg's own cursor and C loader for timestamptz),
2. the list's `rows()` (the query plus the row building: labels, masking, phones),
3. each writer (`core/exports.py`) fed the rows already built, CSV and XLSX,
4. XlsxWriter alone, the same rows' Python values written cell by cell with
   `write_string`/`write_number`/`write_datetime` (the library's own floor).

Then, with `--cprofile`, the functions that take the most time in a whole export.

    BENCH_DB_TAG=x .venv/bin/python bench/exports_bench.py --n 200000 --keep
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_exports_x \
        .venv/bin/python bench/exports_profile.py --rows 100000 --cprofile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postdesk.settings")
os.environ.setdefault("REDIS_URL", "")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def per_row(label: str, cpu: float, n: int) -> None:
    print(f"{label:<44} {cpu:6.2f} s CPU  {1e6 * cpu / max(n, 1):6.1f} µs/row")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--owner", default="admin")
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    from postdesk.core.exportlists import CHUNK, export_list_get
    from postdesk.core.exports import open_sink
    from postdesk.org.models import User
    from postdesk.workorders import exports as wo_exports
    from postdesk.workorders import selectors

    user = User.objects.get(username=args.owner)
    n = args.rows
    one, five, _ = os.getloadavg()
    print(f"{n:,} work orders, owner {user.username}; load {one:.1f} / {five:.1f}")
    translation.activate(getattr(user, "language", "") or settings.LANGUAGE_CODE)
    export_list = export_list_get("work_orders")
    filters = export_list.parse_filters({})

    started = time.process_time()
    qs = selectors.work_orders_filtered(user=user, filters=filters).order_by("-id")
    count = 0
    for _values in qs.values_list(*wo_exports.FIELDS)[:n].iterator(chunk_size=CHUNK):
        count += 1
    per_row("1a. query + iteration (Django's iterator)", time.process_time() - started, count)

    from postdesk.core.exportlists import stream_values

    started = time.process_time()
    count = 0
    for _values in stream_values(qs[:n], wo_exports.FIELDS):
        count += 1
    per_row("1b. query + iteration (stream_values)", time.process_time() - started, count)

    started = time.process_time()
    built = []
    for row in export_list.rows(user, filters):
        built.append(row)
        if len(built) == n:
            break
    rows_cpu = time.process_time() - started
    per_row("2. rows() (query + row building)", rows_cpu, len(built))

    headers = [str(h) for h in export_list.columns(user)]
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("csv", "xlsx"):
            path = str(Path(tmp) / f"out.{fmt}")
            started = time.process_time()
            sink = open_sink(fmt, path, sheet="工单")
            sink.header(headers)
            write_rows = getattr(sink, "rows", None)
            if write_rows is not None:
                write_rows(built)
            else:
                for row in built:
                    sink.row(row)
            sink.close()
            per_row(f"3. {fmt} writer (core/exports.py)", time.process_time() - started, n)

        import xlsxwriter
        from django.utils import timezone

        local = [
            tuple(
                timezone.localtime(v).replace(tzinfo=None) if isinstance(v, datetime) else v
                for v in row
            )
            for row in built
        ]
        started = time.process_time()
        book = xlsxwriter.Workbook(
            str(Path(tmp) / "floor.xlsx"),
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
             "strings_to_numbers": False},
        )  # fmt: skip
        sheet = book.add_worksheet("工单")
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for r, row in enumerate(local, start=1):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, str):
                    sheet.write_string(r, c, v)
                elif isinstance(v, bool):
                    sheet.write_boolean(r, c, v)
                elif isinstance(v, datetime):
                    sheet.write_datetime(r, c, v, when)
        book.close()
        per_row("4. XlsxWriter alone (the library's floor)", time.process_time() - started, n)

        if args.cprofile:
            for fmt in ("csv", "xlsx"):
                profile = cProfile.Profile()
                profile.enable()
                sink = open_sink(fmt, str(Path(tmp) / f"p.{fmt}"), sheet="工单")
                sink.header(headers)
                for done, row in enumerate(export_list.rows(user, filters), start=1):
                    sink.row(row)
                    if done == n:
                        break
                sink.close()
                profile.disable()
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(18)
                print(f"\n--- cProfile, {fmt}, {n:,} rows (tottime) ---")
                print("\n".join(out.getvalue().splitlines()[6:32]))


if __name__ == "__main__":
    main()
