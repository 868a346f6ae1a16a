"""Export benchmark (issue 17): a background export of n work orders on PostgreSQL.

1. The streaming writers compared on this machine: XlsxWriter's constant-memory mode
   against openpyxl's write-only mode, the same 100,000 work-order-shaped rows (14
   columns: text, Chinese text, dates, a truth value), each in its own process — seconds,
   rows/s, peak RSS, file size.
2. `export_run` (what the Celery worker runs) over n bulk-generated work orders
   (`workorders.demo.seed_scale`, as `bench/workorders_bench.py`) in its own PostgreSQL
   database (`bench_exports`, created and dropped; `BENCH_DB_TAG=x` makes it
   `bench_exports_x`), as XLSX and as CSV, each in a fresh process — rows/s and the
   process's peak RSS (ru_maxrss) beside its RSS before the export began.

    .venv/bin/python bench/exports_bench.py --n 1000000
    .venv/bin/python bench/exports_bench.py --n 100000 --compare-rows 100000 --keep

Figures are printed, not asserted (aim: >= 20,000 rows/s, peak RSS < 200 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "postdesk.cli"]
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
TAG = f"_{os.environ['BENCH_DB_TAG']}" if os.environ.get("BENCH_DB_TAG") else ""
DB_NAME = f"bench_exports{TAG}"

WRITER = r"""
import json, os, resource, sys, time
from datetime import datetime, timedelta
which, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
base = datetime(2026, 11, 1, 8, 0)
def rows():
    for i in range(n):
        at = base + timedelta(seconds=17 * i)
        yield ("2026110%07d" % i, "投诉", "delay", "普通", "已派单",
               "包裹延误投诉 第%d条，客户反映五天未到" % i, "鹿城揽投部",
               at + timedelta(days=2), i % 7 == 0, "王*明", "138****5678",
               "EA%09dCN" % i, at, None)
headers = ["工单号", "类型", "子类", "优先级", "状态", "标题", "承办单位", "时限", "超时", "来电人",
           "来电号码", "邮件号", "受理时间", "办结时间"]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
use = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = use.ru_utime + use.ru_stime
started = time.perf_counter()
if which == "xlsxwriter":
    import xlsxwriter
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("工单")
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows(), start=1):
        for c, v in enumerate(row):
            if v is None: continue
            if isinstance(v, str): sheet.write_string(r, c, v)
            elif isinstance(v, bool): sheet.write_boolean(r, c, v)
            elif isinstance(v, datetime): sheet.write_datetime(r, c, v, when)
    book.close()
else:
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(headers)
    for row in rows():
        sheet.append(row)
    book.save(path)
elapsed = time.perf_counter() - started
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": elapsed, "cpu": use.ru_utime + use.ru_stime - cpu0,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "before_kb": before, "bytes": os.path.getsize(path)}))
"""

SEED = """
import sys, time
from postdesk.org import demo as org_demo
from postdesk.workorders import demo
org_demo.seed()
started = time.monotonic()
demo.seed_scale({n}, stdout=sys.stderr, index=False)
print("SEEDED", round(time.monotonic() - started, 1))
from django.db import connection
connection.cursor().execute("CHECKPOINT")
"""

EXPORT = """
import json, resource, time
from postdesk.core.export_jobs import export_run
from postdesk.core.models import Export
from postdesk.org.models import User
owner = User.objects.get(username="{owner}")
export = Export.objects.create(owner=owner, list="work_orders", filters={{}}, format="{fmt}")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
use = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = use.ru_utime + use.ru_stime
started = time.perf_counter()
status = export_run(export_id=export.pk)
elapsed = time.perf_counter() - started
export.refresh_from_db()
import os
use = resource.getrusage(resource.RUSAGE_SELF)
print("RESULT", json.dumps({{"status": status, "rows": export.rows, "seconds": elapsed,
    "cpu": use.ru_utime + use.ru_stime - cpu0,
    "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "before_kb": before,
    "bytes": os.path.getsize(export.path)}}))
"""

FLOOR = """
import json, resource, time
from datetime import datetime
from itertools import islice
import xlsxwriter
from django.conf import settings
from django.utils import timezone, translation
from postdesk.core.exportlists import export_list_get
from postdesk.org.models import User
owner = User.objects.get(username="{owner}")
translation.activate(getattr(owner, "language", "") or settings.LANGUAGE_CODE)
export_list = export_list_get("work_orders")
rows = iter(export_list.rows(owner, export_list.parse_filters({{}})))
book = xlsxwriter.Workbook("{path}", {{"constant_memory": True, "strings_to_formulas": False,
    "strings_to_urls": False, "strings_to_numbers": False}})
sheet = book.add_worksheet("floor")
when = book.add_format({{"num_format": "yyyy-mm-dd hh:mm:ss"}})
cpu, r = 0.0, 1
while chunk := list(islice(rows, 10000)):
    # the same rows as Python values, local times naive: built outside the timing
    local = [[timezone.localtime(v).replace(tzinfo=None) if isinstance(v, datetime) else v
              for v in row] for row in chunk]
    started = time.process_time()
    for row in local:
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                sheet.write_string(r, c, v)
            elif isinstance(v, bool):
                sheet.write_boolean(r, c, v)
            elif isinstance(v, datetime):
                sheet.write_datetime(r, c, v, when)
        r += 1
    cpu += time.process_time() - started
started = time.process_time()
book.close()
cpu += time.process_time() - started
print("RESULT", json.dumps({{"rows": r - 1, "cpu": cpu,
    "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def pg_reset(drop_only: bool = False) -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"


def compare(n: int, folder: Path) -> None:
    print(f"\n== streaming XLSX writers, {n:,} rows x 14 columns (each in its own process)")
    for which in ("xlsxwriter", "openpyxl"):
        path = folder / f"{which}.xlsx"
        out = subprocess.run(
            [sys.executable, "-c", WRITER, which, str(n), str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{which:>11}: {r['seconds']:6.1f} s  {n / r['seconds']:8,.0f} rows/s  "
            f"(CPU {r['cpu']:.1f} s: {n / r['cpu']:,.0f} rows per CPU-second)  "
            f"peak RSS {r['rss_kb'] / 1024:5.0f} MB (before {r['before_kb'] / 1024:.0f} MB)  "
            f"file {r['bytes'] / 1e6:.1f} MB"
        )


def seeded_count(url: str) -> int:
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM workorders_workorder").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return -1


def export(n: int, folder: Path, keep: bool, reuse: bool = False) -> None:
    url = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    reused = reuse and seeded_count(url) == n
    env = {
        **os.environ,
        "POSTDESK_VAR_DIR": str(folder),
        "MEDIA_ROOT": str(folder / "media"),
        "REDIS_URL": "",
        "BACKGROUND_MODE": "sync",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "postdesk.settings",
        "DATABASE_URL": url if reused else pg_reset(),
    }
    env.pop("TEST_DATABASE_NAME", None)
    try:
        print(f"\n== export of {n:,} work orders, PostgreSQL, one process (as the worker)")
        if reused:
            print(f"reusing {DB_NAME} ({n:,} work orders already seeded)")
        else:
            subprocess.run([*CLI, "migrate", "-v", "0"], env=env, check=True)
            started = time.monotonic()
            seeded = subprocess.run(
                [*CLI, "shell", "-c", SEED.format(n=n)], env=env, capture_output=True, text=True
            )
            if seeded.returncode:
                raise SystemExit(f"seeding failed:\n{seeded.stderr[-3000:]}")
            out = seeded.stdout
            print(f"seeded in {time.monotonic() - started:.0f} s ({out.split()[-1]} s of inserts)")
        for fmt in ("csv", "xlsx"):
            script = EXPORT.format(owner="admin", fmt=fmt)
            out = subprocess.run(
                [*CLI, "shell", "-c", script], env=env, check=True, capture_output=True, text=True
            ).stdout
            line = next(r for r in out.splitlines() if r.startswith("RESULT"))
            r = json.loads(line.split(" ", 1)[1])
            print(
                f"{fmt:>5}: {r['status']}, {r['rows']:,} rows in {r['seconds']:.1f} s = "
                f"{r['rows'] / r['seconds']:,.0f} rows/s (CPU {r['cpu']:.1f} s: "
                f"{r['rows'] / r['cpu']:,.0f} rows per CPU-second); "
                f"peak RSS {r['rss_kb'] / 1024:.0f} MB "
                f"(before the export {r['before_kb'] / 1024:.0f} MB); "
                f"file {r['bytes'] / 1e6:.0f} MB; {load()}"
            )
        # XlsxWriter alone writing the same rows' values: the library's own cost, the
        # floor under any XLSX export through it (CPU of the writing calls only)
        script = FLOOR.format(owner="admin", path=folder / "floor.xlsx")
        out = subprocess.run(
            [*CLI, "shell", "-c", script], env=env, check=True, capture_output=True, text=True
        ).stdout
        r = json.loads(next(x for x in out.splitlines() if x.startswith("RESULT")).split(" ", 1)[1])
        print(
            f"floor: XlsxWriter alone, the same {r['rows']:,} rows' values: CPU {r['cpu']:.1f} s = "
            f"{r['rows'] / r['cpu']:,.0f} rows per CPU-second (the most an XLSX export through "
            f"it can reach on one CPU of this machine); {load()}"
        )
    finally:
        if not keep:
            pg_reset(drop_only=True)


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="work orders to export")
    parser.add_argument("--compare-rows", type=int, default=100_000)
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the kept database when it holds n work orders (implies --keep)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        folder = Path(tmp)
        print(f"machine: {load()} (other processes share it: see CPU-seconds)")
        compare(args.compare_rows, folder)
        if not args.skip_export:
            export(args.n, folder, args.keep or args.reuse, args.reuse)


if __name__ == "__main__":
    main()
