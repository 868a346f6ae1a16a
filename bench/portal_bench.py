"""Portal benchmark: tracking a parcel and following a request, as the public does, under
load — requests/s, p50 and p99 at concurrency 32 against `postdesk serve` (PostgreSQL).

Data: `workorders.demo.seed_scale` (n work orders) and `bench/tracking_gen.py` (m tracking
events, imported with `postdesk import_tracking`), in its own database `bench_portal`
(created and dropped). The issue's size is 1,000,000 orders and 5,000,000 events:

    .venv/bin/python bench/portal_bench.py --orders 1000000 --events 5000000
    .venv/bin/python bench/portal_bench.py --orders 50000 --events 250000   # a quick run
    .venv/bin/python bench/portal_bench.py --database bench_reports   # an existing database

`--database NAME` measures a database made elsewhere (e.g. `bench/reports_bench.py --keep`):
nothing is generated, migrated or dropped; it needs work orders with `public_ref` and
`caller_phone` and tracking events with `waybill_no`. Set `BENCH_REDIS_URL` for the Redis
limiter (production's), else the limits count in the database (the embedded mode's).
Beside requests/s and latency each lane prints the CPU it cost per request: the serve
processes, the database's backends, and Redis (`INFO cpu`; the server is shared, so it
includes other clients' work), and the load average.

Track asks random known waybills (`GET /api/v1/public/track/{waybill}`); follow asks
random orders by reference and last four digits (`GET /api/v1/public/requests/{ref}`),
each lane from its own client address (X-Forwarded-For through the loopback proxy), so
the follow limit (20 wrong tries per address) never refuses a right answer. Figures are
printed, not asserted; the aim is p99 < 100 ms. The server runs `postdesk serve`'s defaults
(`WEB_CONCURRENCY` 2 workers, `WEB_THREADS` 8 threads, as README says and a deployment
gets unless it sets them); `--workers` / `--threads` change them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calls_common as cc
from tracking_gen import generate
from workorders_bench import (
    CLI,
    ROOT,
    _lanes,
    free_port,
    pct,
    pg_reset,
    run_script,
    serve,
)

DB = f"bench_portal{'_' + os.environ['BENCH_DB_TAG'] if os.environ.get('BENCH_DB_TAG') else ''}"
SEED = """
import sys
from postdesk.org import demo as org_demo
from postdesk.workorders import demo
org_demo.seed()
demo.seed_scale({n}, stdout=sys.stderr)
"""
SAMPLE = """
import json, random
from postdesk.tracking.models import Event
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.public_ref import format_public_ref
rng = random.Random(7)
top = WorkOrder.objects.order_by("-id").values_list("id", flat=True).first() or 0
ids = [rng.randint(1, top) for _ in range(3000)]
rows = (
    WorkOrder.objects.filter(id__in=ids).exclude(public_ref="").exclude(caller_phone="")
    .values_list("public_ref", "caller_phone")
)
orders = [(format_public_ref(r), "".join(c for c in p if c.isdigit())[-4:]) for r, p in rows]
last = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
picks = [rng.randint(1, last) for _ in range(3000)]
waybills = list(Event.objects.filter(id__in=picks).values_list("waybill_no", flat=True))
print("SAMPLE " + json.dumps({"orders": orders, "waybills": sorted(set(waybills))}))
"""


def get(port: int, path: str, address: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Language: zh-hans\r\n"
        f"X-Forwarded-For: {address}\r\n\r\n"
    ).encode()


def redis_cpu(url: str) -> float:
    if not url:
        return 0.0
    import redis

    info = redis.Redis.from_url(url).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def measure(
    label: str, port: int, paths: list[str], concurrency: int, total: int, ctx: dict[str, Any]
) -> str:
    rng = random.Random(label)
    per = total // concurrency
    lanes = [
        [get(port, rng.choice(paths), f"10.{lane // 250}.{lane % 250}.{i // 15 + 1}")
         for i in range(per)]
        for lane in range(concurrency)
    ]  # fmt: skip
    asyncio.run(_lanes(port, [lane[:5] for lane in lanes]))  # warm the connections' paths
    web_pids = cc.tree_pids(ctx["server"])
    web0, redis0 = cc.cpu_of(web_pids), redis_cpu(ctx["redis"])
    backends = cc.BackendCpu(ctx["url"], ctx["db"])
    elapsed, statuses, lat = asyncio.run(_lanes(port, lanes))
    pg = backends.stop()
    web, red = cc.cpu_of(web_pids) - web0, redis_cpu(ctx["redis"]) - redis0
    done = sum(statuses.values())
    per = 1000 / max(done, 1)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{label} c={concurrency}: {done / elapsed:.0f} req/s, p50 {pct(lat, 50) * 1000:.1f} ms, "
        f"p99 {pct(lat, 99) * 1000:.1f} ms, statuses {statuses}; CPU per request: serve "
        f"{web * per:.2f} ms + PostgreSQL {pg * per:.2f} ms + Redis {red * per:.2f} ms = "
        f"{(web + pg + red) * per:.2f} ms; load {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=6400)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    # `postdesk serve`'s own defaults (WEB_CONCURRENCY, WEB_THREADS): what a deployment runs
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
    parser.add_argument(
        "--database",
        default="",
        help="measure this existing PostgreSQL database: nothing generated, migrated or dropped",
    )
    opts = parser.parse_args()
    db = opts.database or DB
    var = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    env = {
        **os.environ,
        "POSTDESK_VAR_DIR": str(var),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
        "BACKGROUND_MODE": "sync",
        "ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "postdesk.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}"
        if opts.database
        else pg_reset(name=DB),
    }
    env.pop("TEST_DATABASE_NAME", None)
    import subprocess

    began = time.perf_counter()
    if not opts.database:
        subprocess.run([*CLI, "migrate", "-v", "0"], env=env, check=True)
        run_script(env, SEED.format(n=opts.orders))
        data = ROOT / "var" / "bench" / f"tracking_{opts.events}.csv"
        data.parent.mkdir(parents=True, exist_ok=True)
        if not data.exists():
            generate(opts.events, data)
        subprocess.run(
            [*CLI, "import_tracking", str(data), "--json"], env=env, check=True, capture_output=True
        )
        run_script(
            env, "from django.db import connection\nconnection.cursor().execute('VACUUM ANALYZE')"
        )
    counts = run_script(
        env,
        "from postdesk.tracking.models import Event\nfrom postdesk.workorders.models import "
        "WorkOrder\nprint('COUNTS', WorkOrder.objects.count(), Event.objects.count())",
    )
    n_orders, n_events = (int(x) for x in counts.split("COUNTS")[1].split())
    sample = json.loads(run_script(env, SAMPLE).split("SAMPLE ", 1)[1])
    orders = [(r, d) for r, d in sample["orders"] if r and len(d) == 4]
    if not orders or not sample["waybills"]:
        raise SystemExit(
            f"{db}: {len(orders)} sampled orders with a public reference and a phone, "
            f"{len(sample['waybills'])} waybills: nothing to ask"
        )
    print(
        f"data: {n_orders:,} work orders, {n_events:,} tracking events (PostgreSQL {db}; "
        f"{'existing' if opts.database else 'seeded'} in {time.perf_counter() - began:.0f}s); "
        f"machine: {os.cpu_count()} CPUs; limiter: {'Redis' if env['REDIS_URL'] else 'database'}"
        f"; sampled {len(orders)} orders, {len(sample['waybills'])} waybills"
    )
    port = free_port()
    proc = serve(env, port, opts.workers, opts.threads)
    print(f"postdesk serve: {opts.workers} workers x {opts.threads} threads", flush=True)
    ctx = {"server": proc.pid, "redis": env["REDIS_URL"], "url": env["DATABASE_URL"], "db": db}
    try:
        track = [f"/api/v1/public/track/{w}" for w in sample["waybills"]]
        follow = [f"/api/v1/public/requests/{r}?phone_last4={d}" for r, d in orders]
        for label, paths in (("track", track), ("follow", follow)):
            print(measure(label, port, paths, opts.concurrency, opts.requests, ctx), flush=True)
    finally:
        proc.terminate()
        proc.wait(30)
        if not opts.keep and not opts.database:
            pg_reset(drop_only=True, name=DB)


if __name__ == "__main__":
    main()
