"""The portal's track and follow in-process: CPU per request through the WSGI application
(every middleware, the API framework, the queries, the rate limiter), the queries one
request makes, their plans, and optionally where the time goes (cProfile).

Run against a database the portal bench kept (or any with orders and tracking events):

    BENCH_DB_TAG=x .venv/bin/python bench/portal_bench.py --orders 50000 --events 250000 --keep
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_portal_x \\
      REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/portal_profile.py [--profile]

Figures are printed, never asserted (`time.process_time()` per request: this process's
CPU, not the database's or Redis's).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import os
import pstats
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postdesk.settings")
os.environ.setdefault("ACCESS_LOG", "")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def environ(path: str, query: str, address: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": address,
        "HTTP_ACCEPT_LANGUAGE": "zh-hans",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", choices=["track", "follow"], default=None)
    opts = parser.parse_args()

    # the web application, as `postdesk serve` loads it (first: it sets Django up)
    application = importlib.import_module("postdesk.wsgi").application

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from postdesk.tracking.models import Event
    from postdesk.workorders.models import WorkOrder
    from postdesk.workorders.public_ref import format_public_ref

    rng = random.Random(7)
    top = WorkOrder.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rows = (
        WorkOrder.objects.filter(id__in=[rng.randint(1, top) for _ in range(3000)])
        .exclude(public_ref="")
        .exclude(caller_phone="")
        .values_list("public_ref", "caller_phone")
    )
    orders = [(format_public_ref(r), "".join(c for c in p if c.isdigit())[-4:]) for r, p in rows]
    last = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    picks = [rng.randint(1, last) for _ in range(3000)]
    waybills = sorted(set(Event.objects.filter(id__in=picks).values_list("waybill_no", flat=True)))
    lanes = {
        "track": [(f"/api/v1/public/track/{w}", "") for w in waybills],
        "follow": [(f"/api/v1/public/requests/{r}", f"phone_last4={d}") for r, d in orders],
    }
    print(
        f"{connection.vendor} {connection.settings_dict['NAME']}: {top:,} orders, {last:,} "
        f"events; limiter {'Redis' if os.environ.get('REDIS_URL') else 'database'}; "
        f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )

    def call(path: str, query: str, n: int) -> tuple[int, bytes]:
        status: list[str] = []
        body = application(
            environ(path, query, f"10.9.{n // 250 % 250}.{n % 250}"),
            lambda s, h, *a: status.append(s),
        )
        content = b"".join(body)
        getattr(body, "close", lambda: None)()
        return int(status[0][:3]), content

    for label, paths in lanes.items():
        if opts.only and label != opts.only:
            continue
        for i in range(50):  # warm: imports, prepared statements, connection
            call(*paths[i % len(paths)], i)
        with CaptureQueriesContext(connection) as ctx:
            status, _body = call(*paths[0], 0)
        print(f"{label}: one request {status}, {len(ctx.captured_queries)} queries:")
        for q in ctx.captured_queries:
            print("   ", q["sql"][:300])
        cpu: list[float] = []
        statuses: dict[int, int] = {}
        prof = cProfile.Profile(time.process_time) if opts.profile else None  # CPU, not wall
        began = time.perf_counter()
        for i in range(opts.requests):
            path, query = paths[rng.randrange(len(paths))]
            c0 = time.process_time()
            if prof:
                prof.enable()
            status, _ = call(path, query, i + 1000)
            if prof:
                prof.disable()
            cpu.append(time.process_time() - c0)
            statuses[status] = statuses.get(status, 0) + 1
        wall = time.perf_counter() - began
        cpu.sort()
        print(
            f"{label}: {opts.requests} requests, CPU per request mean "
            f"{sum(cpu) / len(cpu) * 1000:.2f} ms, median {cpu[len(cpu) // 2] * 1000:.2f} ms, "
            f"p99 {cpu[int(len(cpu) * 0.99)] * 1000:.2f} ms; wall {wall / opts.requests * 1000:.2f}"
            f" ms per request; statuses {statuses}; load "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        if prof:
            out = io.StringIO()
            stats = pstats.Stats(prof, stream=out)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
            print(out.getvalue())
    if connection.vendor == "postgresql" and waybills and orders:
        from postdesk.workorders.public_ref import parse_public_ref

        with connection.cursor() as cursor:
            for sql, args in (
                (
                    "SELECT event_time, event_code, office_name, reason FROM tracking_event "
                    "WHERE waybill_no = %s ORDER BY event_time, id LIMIT 200",
                    [waybills[0]],
                ),
                (
                    "SELECT * FROM workorders_workorder WHERE public_ref = %s LIMIT 1",
                    [parse_public_ref(orders[0][0])],
                ),
            ):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, args)
                print("\n".join(r[0] for r in cursor.fetchall()))


if __name__ == "__main__":
    main()
