"""Where the month summary's time goes, section by section (issue 17), printed.

    .venv/bin/python bench/reports_profile.py [--month 2026-11] [--repeat 3] [--cprofile N]

Reads the database `bench/reports_bench.py --keep` left (`bench_reports[_TAG]`, read
only) as `director1` and times every part `reports.selectors.month_report` calls: wall
and CPU time (`time.process_time`, this process: Python's share; the rest is the
database) and the queries each ran, best of `--repeat` after a warm-up. `--cprofile N`
prints the N most expensive functions of one whole summary. The load average is printed:
the machine is shared.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAG = f"_{os.environ['BENCH_DB_TAG']}" if os.environ.get("BENCH_DB_TAG") else ""
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/bench_reports{TAG}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postdesk.settings")
os.environ["BACKGROUND_MODE"] = "sync"
os.environ.pop("REDIS_URL", None)
sys.path.insert(0, str(ROOT))


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cprofile", type=int, default=0)
    opts = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from postdesk.calls.selectors import call_metrics_for_days
    from postdesk.core.periods import parse_month
    from postdesk.org.models import User
    from postdesk.reports import sections
    from postdesk.reports import selectors as report
    from postdesk.reports.target_items import not_yet_due
    from postdesk.tracking.selectors import delivery_kpi
    from postdesk.workorders.selectors import complaint_kpis

    user = User.objects.get(username="director1")
    month = parse_month(opts.month)
    as_of = timezone.now()
    parts = {
        "targets_compared (3 months)": lambda: report.targets_compared(
            user=user, month=month, as_of=as_of
        ),
        "  delivery_kpi (1 month)": lambda: delivery_kpi(user=user, month=month, as_of=as_of),
        "  complaint_kpis (1 month)": lambda: complaint_kpis(user=user, month=month),
        "  notification_feedback (1 month)": lambda: report.notification_feedback(
            user=user, month=month, as_of=as_of
        ),
        "  not_yet_due complaints": lambda: not_yet_due(
            user=user, key="complaint_reply_rate", month=month, as_of=as_of
        ),
        "  not_yet_due notices": lambda: not_yet_due(
            user=user, key="notification_feedback_rate", month=month, as_of=as_of
        ),
        "work_order_summary": lambda: report.work_order_summary(user=user, month=month),
        "work_order_breakdowns": lambda: sections.work_order_breakdowns(
            user=user, month=month, as_of=as_of
        ),
        "complaint_kpis + breakdowns": lambda: (
            complaint_kpis(user=user, month=month),
            sections.complaint_breakdowns(user=user, month=month),
        ),
        "notices": lambda: report.notification_feedback(user=user, month=month, as_of=as_of),
        "top_causes": lambda: sections.top_causes(user=user, month=month),
        "most_overdue_units": lambda: sections.most_overdue_units(user=user, as_of=as_of),
        "calls (breakdowns=False)": lambda: call_metrics_for_days(
            user=user, first=month.first_day, last=month.last_day, breakdowns=False
        ),
        "inspection_summary": lambda: report.inspection_summary(user=user, month=month),
        "MONTH_REPORT (all)": lambda: report.month_report(user=user, month=month, as_of=as_of),
    }
    print(f"start {time.strftime('%H:%M:%S', time.gmtime())} UTC; {load()}")
    print(f"month {month} as director1, best of {opts.repeat} after a warm-up:")
    print(f"  {'part':36s} {'wall s':>8s} {'cpu s':>8s} {'queries':>8s} {'sql s':>8s}")
    for name, fn in parts.items():
        fn()
        best = None
        for _ in range(opts.repeat):
            with CaptureQueriesContext(connection) as ctx:
                w, c = time.perf_counter(), time.process_time()
                fn()
                w, c = time.perf_counter() - w, time.process_time() - c
            sql = sum(float(q["time"]) for q in ctx.captured_queries)
            if best is None or w < best[0]:
                best = (w, c, len(ctx.captured_queries), sql)
        assert best is not None
        print(f"  {name:36s} {best[0]:8.3f} {best[1]:8.3f} {best[2]:8d} {best[3]:8.3f}", flush=True)
    if opts.cprofile:
        profile = cProfile.Profile()
        profile.enable()
        report.month_report(user=user, month=month, as_of=as_of)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(opts.cprofile)
    print(f"end {time.strftime('%H:%M:%S', time.gmtime())} UTC; {load()}")


if __name__ == "__main__":
    main()
