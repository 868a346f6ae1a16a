"""Delivery KPI benchmark: a month's report over the events loaded by
``bench/tracking_import.py`` (5,000,000 events by default), on PostgreSQL and SQLite.

    .venv/bin/python bench/tracking_import.py      # loads bench_tracking (PG) and the SQLite file
    .venv/bin/python bench/tracking_kpi.py [--only postgresql|sqlite]

Prints, per database: events and attempts in the tables, the seconds of
``delivery_kpi(month="2024-03")`` (median of 5, after one warm-up), the seconds to show
a newly entered result (result entry + attempts refresh of that waybill + the next
report), and a parcel-view lookup by waybill.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URLS = {
    "postgresql": "postgres://postgres@127.0.0.1:5432/bench_tracking",
    "sqlite": f"sqlite:///{ROOT / 'bench' / 'out' / 'bench_tracking.sqlite3'}",
}


def child(kind: str) -> None:
    os.environ["DATABASE_URL"] = URLS[kind]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postdesk.settings")
    os.environ["BACKGROUND_MODE"] = "sync"
    import django

    django.setup()
    from datetime import UTC, datetime, timedelta

    from postdesk.org.models import User
    from postdesk.tracking.models import Attempt, Event
    from postdesk.tracking.selectors import delivery_kpi, parcel_view
    from postdesk.tracking.services import delivery_result_record

    as_of = datetime(2024, 4, 5, tzinfo=UTC)
    events, attempts = Event.objects.count(), Attempt.objects.count()
    delivery_kpi(month="2024-03", as_of=as_of)
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        doc = delivery_kpi(month="2024-03", as_of=as_of)
        runs.append(time.perf_counter() - t)
    c = doc["centre"]
    print(
        f"{kind:10s} {events:,} events, {attempts:,} attempts; month KPI "
        f"{statistics.median(runs):.3f}s (median of 5; min {min(runs):.3f}s); "
        f"online {c['online_rate']:.4f}, timely {c['timely_rate']:.4f}, "
        f"{len(doc['offices'])} offices, {len(doc['daily'])} office-days"
    )
    open_attempt = Attempt.objects.filter(chase=True).order_by("id").first()
    if open_attempt is not None:
        # The bench database has no org units: an administrator's scope is everything.
        user, _ = User.objects.update_or_create(username="bench_agent", defaults={"role": "admin"})
        now = open_attempt.ofd_time + timedelta(hours=3)
        t = time.perf_counter()
        delivery_result_record(
            user=user,
            waybill_no=open_attempt.waybill_no,
            result="delivered",
            event_time=open_attempt.ofd_time + timedelta(hours=1),
            now=now,
        )
        doc2 = delivery_kpi(month="2024-03", as_of=as_of)
        dt = time.perf_counter() - t
        print(
            f"{kind:10s} result entry + refresh + next report: {dt:.3f}s "
            f"(online {c['online']} -> {doc2['centre']['online']})"
        )
        Event.objects.filter(waybill_no=open_attempt.waybill_no, entered_by=user).delete()
        from postdesk.tracking.services import tracking_refresh

        tracking_refresh(waybills=[open_attempt.waybill_no])
    wb = Event.objects.order_by("-id").values_list("waybill_no", flat=True).first()
    t = time.perf_counter()
    for _ in range(20):
        parcel_view(waybill_no=wb, now=as_of)
    print(f"{kind:10s} parcel view by waybill: {(time.perf_counter() - t) / 20 * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=list(URLS))
    parser.add_argument("--child", choices=list(URLS))
    opts = parser.parse_args()
    if opts.child:
        child(opts.child)
        return
    for kind in [opts.only] if opts.only else ["postgresql", "sqlite"]:
        subprocess.run(
            [sys.executable, __file__, "--child", kind],
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )


if __name__ == "__main__":
    main()
