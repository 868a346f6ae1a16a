"""Month-end report benchmark (issue 17) on PostgreSQL, printed.

    .venv/bin/python bench/reports_bench.py [--scale 1.0] [--month 2026-11] [--keep]

Data, at `--scale 1.0` (the issue's sizes), in a fresh database `bench_reports[_TAG]`
(`migrate`, the demo organisation, then bulk loads; dropped at the end unless `--keep`):

- 1,000,000 work orders, `workorders.demo.seed_scale` (COPY; no search index — the
  report does not read it): created over the 365 days before now, so the measured month
  holds its 1/12 share (~8%);
- 5,000,000 tracking events, `bench/tracking_gen.py` (one month's items at ~300
  offices) written for the measured month and loaded by `postdesk import_tracking` (the
  binary-COPY loader and the attempts refresh): a full month's worth, all in the month;
- 2,000,000 inbound calls, `bench/workforce_bench.py`'s `load_calls_pg` (COPY) over the
  365 days before the 1st of the month after the measured one: ~1/12 in the month.

Measured in-process as the director (`director1`) reads it, median of 3 after a
warm-up: the month summary (`reports.selectors.month_report`, what `/reports/` and
`GET /api/v1/reports/month` call), the PDF (`GET /api/v1/reports/month.pdf`'s path:
`month_report` + `reports.pdf.render_month_pdf`), the Excel (`month_report` +
`reports.excel.month_report_xlsx`), and the first page of each target's items
(`reports.target_items.target_items`). Aims: summary < 2 s, PDF < 5 s. The load
average is printed at start and end: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "bench" / "out"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
TAG = f"_{os.environ['BENCH_DB_TAG']}" if os.environ.get("BENCH_DB_TAG") else ""
DB_NAME = f"bench_reports{TAG}"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
ORDERS, EVENTS, CALLS = 1_000_000, 5_000_000, 2_000_000
TARGETS = ("online_rate", "timely_rate", "complaint_reply_rate", "notification_feedback_rate")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def pg_reset(drop_only: bool = False) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


CPU: list[float] = []  # this process's CPU seconds of the last `timed` runs


def timed(fn, repeat: int = 3) -> tuple[float, list[float], object]:
    """Median seconds of `repeat` runs after one warm-up, the runs, the last answer; the
    runs' CPU seconds (this process: Python's share, not the database's) in `CPU`."""
    answer = fn()
    runs = []
    CPU.clear()
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        answer = fn()
        runs.append(time.perf_counter() - t)
        CPU.append(time.process_time() - c)
    return statistics.median(runs), runs, answer


def line(label: str, seconds: float, runs: list[float], aim: float | None, extra: str = "") -> None:
    verdict = ""
    if aim is not None:
        verdict = f"; aim < {aim:g} s: {'met' if seconds < aim else 'MISSED'}"
    spread = ", ".join(f"{r:.3f}" for r in runs)
    cpu = f"; cpu median {statistics.median(CPU):.3f} s" if CPU else ""
    print(f"  {label:38s} {seconds:7.3f} s (runs {spread}){verdict}{cpu}{extra}", flush=True)


def generate(scale: float, month: tuple[int, int], env: dict[str, str]) -> None:
    import django

    django.setup()
    from django.db import connection

    sys.path.insert(0, str(ROOT / "bench"))
    import tracking_gen
    import workforce_bench

    from postdesk.org import demo as org_demo
    from postdesk.org.models import Unit, User
    from postdesk.workorders import demo

    began = time.perf_counter()
    org_demo.seed()
    n_orders, n_events, n_calls = (round(x * scale) for x in (ORDERS, EVENTS, CALLS))

    t = time.perf_counter()
    demo.seed_scale(n_orders, index=False)
    print(f"  work orders: {n_orders:,} in {time.perf_counter() - t:.0f} s", flush=True)

    OUT.mkdir(parents=True, exist_ok=True)
    csv = OUT / f"reports_tracking_{n_events}_{month[0]}{month[1]:02d}.csv"
    t = time.perf_counter()
    if not csv.exists():
        tracking_gen.generate(n_events, csv, seed=20240301, year=month[0], month=month[1])
    made = time.perf_counter() - t
    t = time.perf_counter()
    out = subprocess.run(
        [str(BIN / "postdesk"), "import_tracking", str(csv), "--json"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    print(
        f"  tracking: CSV made in {made:.0f} s; import_tracking {time.perf_counter() - t:.0f} s: "
        f"{out.stdout.strip().splitlines()[-1][:200]}",
        flush=True,
    )

    t = time.perf_counter()
    y, m = month
    workforce_bench.TODAY = date(y + (m == 12), m % 12 + 1, 1)
    workforce_bench.HISTORY_DAYS = 365
    agents = list(User.objects.filter(role="agent").order_by("pk").values_list("pk", flat=True))
    agents = (agents * 8)[:8]
    unit = Unit.objects.get(code="WZ-11185-HW").pk
    workforce_bench.load_calls_pg(n_calls, agents, unit)
    print(f"  calls: {n_calls:,} in {time.perf_counter() - t:.0f} s", flush=True)
    with connection.cursor() as cursor:
        # seed_scale writes orders in random creation order (created_at's correlation
        # with the heap ~0); a real table grows in creation order, so a month's orders
        # sit together. Measured at 1.0: summary 7.0 s before, 5.2 s after.
        t = time.perf_counter()
        cursor.execute("CLUSTER workorders_workorder USING wo_created")
        print(f"  work orders clustered by created_at: {time.perf_counter() - t:.0f} s")
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    print(f"generation: {time.perf_counter() - began:.0f} s in all", flush=True)


def measure(month_text: str) -> None:
    import django

    django.setup()
    from django.utils import timezone

    from postdesk.calls.models import Call
    from postdesk.core.periods import parse_month
    from postdesk.org.models import User
    from postdesk.reports.excel import month_report_xlsx
    from postdesk.reports.pdf import render_month_pdf
    from postdesk.reports.selectors import month_report
    from postdesk.reports.target_items import target_items
    from postdesk.tracking.models import Attempt, Event
    from postdesk.workorders.models import WorkOrder

    month = parse_month(month_text)
    start, end = month.start, month.end
    in_month = {
        "work orders": (
            WorkOrder.objects.count(),
            WorkOrder.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        ),
        "tracking events": (
            Event.objects.count(),
            Event.objects.filter(event_time__gte=start, event_time__lt=end).count(),
        ),
        "calls": (
            Call.objects.count(),
            Call.objects.filter(started_at__gte=start, started_at__lt=end).count(),
        ),
    }
    print(f"data in the database (all / in {month}):")
    for name, (total, inside) in in_month.items():
        print(f"  {name:16s} {total:>10,} / {inside:>9,} ({inside / max(total, 1):.1%})")
    print(f"  delivery attempts {Attempt.objects.count():>9,}")
    user = User.objects.get(username="director1")
    as_of = timezone.now()

    def summary():
        return month_report(user=user, month=month, as_of=as_of)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from postdesk.calls.selectors import call_metrics_for_days

    summary()
    with CaptureQueriesContext(connection) as ctx:
        t = time.perf_counter()
        summary()
        wall = time.perf_counter() - t
    sql = sum(float(q["time"]) for q in ctx.captured_queries)
    t = time.perf_counter()
    call_metrics_for_days(user=user, first=month.first_day, last=month.last_day, breakdowns=False)
    calls = time.perf_counter() - t
    print(
        f"where the summary's time goes (one run): {wall:.3f} s, {len(ctx.captured_queries)} "
        f"queries taking {sql:.3f} s; the calls section alone {calls:.3f} s"
    )
    print(f"measured as {user.username} ({user.role}), month {month}, median of 3 after a warm-up:")
    seconds, runs, report = timed(summary)
    line("month summary (month_report)", seconds, runs, 2.0)
    targets = {t["key"]: t for t in report.get("targets", [])} if isinstance(report, dict) else {}
    seconds, runs, pdf = timed(lambda: render_month_pdf(summary()))
    line("PDF (month_report + render_month_pdf)", seconds, runs, 5.0, f"; {len(pdf):,} bytes")
    seconds, runs, _ = timed(lambda: render_month_pdf(report))
    line("  of which render_month_pdf alone", seconds, runs, None)
    seconds, runs, xlsx = timed(lambda: month_report_xlsx(summary()))
    line("Excel (month_report + xlsx)", seconds, runs, None, f"; {len(xlsx):,} bytes")
    for key in TARGETS:
        seconds, runs, page = timed(
            lambda key=key: target_items(user=user, key=key, month=month, as_of=as_of, page=1)
        )
        target = targets.get(key, {})
        line(
            f"drill-down {key} page 1",
            seconds,
            runs,
            None,
            f"; count {page.count:,}, counting {page.counting:,}, {len(page.results)} rows"
            f" (target {target.get('numerator')}/{target.get('denominator')})",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the issue's sizes")
    parser.add_argument("--month", default="2026-11", help="the measured month, YYYY-MM")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="measure the kept database")
    parser.add_argument("--child", choices=["generate", "measure"])
    opts = parser.parse_args()
    if opts.child == "generate":
        year, month = (int(p) for p in opts.month.split("-"))
        generate(opts.scale, (year, month), dict(os.environ))
        return
    if opts.child == "measure":
        measure(opts.month)
        return
    print(f"start {time.strftime('%H:%M:%S', time.gmtime())} UTC; {load()}", flush=True)
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "DJANGO_SETTINGS_MODULE": "postdesk.settings",
        "BACKGROUND_MODE": "sync",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    me = [sys.executable, __file__, "--scale", str(opts.scale), "--month", opts.month]
    try:
        if not opts.reuse:
            pg_reset()
            t = time.perf_counter()
            subprocess.run([str(BIN / "postdesk"), "migrate", "-v0"], env=env, check=True)
            print(f"scale {opts.scale}: migrate {time.perf_counter() - t:.0f} s", flush=True)
            subprocess.run([*me, "--child", "generate"], env=env, check=True, cwd=ROOT)
        subprocess.run([*me, "--child", "measure"], env=env, check=True, cwd=ROOT)
    finally:
        if not (opts.keep or opts.reuse):
            pg_reset(drop_only=True)
        print(f"end {time.strftime('%H:%M:%S', time.gmtime())} UTC; {load()}", flush=True)


if __name__ == "__main__":
    main()
