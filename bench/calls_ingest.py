"""CTI ingestion benchmark: events per second through the HTTP API at concurrency 16 on
PostgreSQL, against `postdesk serve` (gunicorn, 2 workers × 8 threads, the push path on)
on this machine.

    .venv/bin/python bench/calls_ingest.py [--events 20000] [--concurrency 16] [--no-redis]

Data: a simulated centre (40 agents, 2,000 calls an hour) — about 20,000 events of
~4,000 calls (newCall, answer, hold/unhold, hangup, wrapup) into a fresh database
`bench_calls_ingest` (created and dropped). Each of the 16 keep-alive connections posts
whole calls in event order. With Redis on 127.0.0.1:6379 the push goes through Redis
pub/sub (production); with --no-redis through the Unix sockets of the embedded mode.
Prints events/s, the HTTP status counts, request latency p50/p99, and checks that the
calls table agrees with the simulation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calls_common as cc

DB = f"bench_calls_ingest{cc.TAG}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    load_start = os.getloadavg()

    from postdesk.calls.simulation import SimulationConfig, simulate

    start = datetime(2025, 3, 4, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    events = simulate(
        SimulationConfig(
            start=start,
            duration_seconds=8 * 3600,
            calls_per_hour=2000,
            agents=40,
            aht=160,
            patience=60,
            seed=11,
        )
    )
    by_call: dict[str, list[dict]] = {}
    for body in events:
        by_call.setdefault(body["call_id"], []).append(body)
    calls = list(by_call.values())
    chosen, total = [], 0
    for call in calls:
        if total >= args.events:
            break
        chosen.append(call)
        total += len(call)

    url = cc.create_db(DB)
    redis_url = "" if args.no_redis else cc.redis_url(7)
    with tempfile.TemporaryDirectory() as var:
        env = cc.env_for(url, Path(var), redis_url)
        token = cc.prepare(env)
        port = cc.free_port()
        server = cc.serve(env, port, args.workers, args.threads)
        try:
            lanes: list[list[bytes]] = [[] for _ in range(args.concurrency)]
            for i, call in enumerate(chosen):
                for body in call:
                    lanes[i % args.concurrency].append(
                        cc.request_bytes(
                            "/api/v1/cti/events", json.dumps(body).encode(), token, port
                        )
                    )
            # warm-up: a few hundred events of other calls
            warm = [
                [
                    cc.request_bytes(
                        "/api/v1/cti/events",
                        json.dumps({**b, "call_id": "warm-" + b["call_id"]}).encode(),
                        token,
                        port,
                    )
                    for call in calls[-200:][i :: args.concurrency]
                    for b in call
                ]
                for i in range(args.concurrency)
            ]
            asyncio.run(cc.post_all(port, warm))
            commits0 = cc.commits(url, DB)
            web_pids = cc.tree_pids(server.pid)
            web0 = cc.cpu_of(web_pids)
            backends = cc.BackendCpu(url, DB)
            seconds, statuses, latencies = asyncio.run(cc.post_all(port, lanes))
            pg_cpu = backends.stop()
            web_cpu = cc.cpu_of(web_pids) - web0
        finally:
            server.terminate()
            server.wait(timeout=30)
        time.sleep(1.5)  # the backends' statistics reach pg_stat_database
        commits = cc.commits(url, DB) - commits0
        check = subprocess.run(
            [*cc.CLI, "call_metrics", "--date", "2025-03-04", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    cc.drop_db(DB)
    offered = json.loads(check)["offered"]
    expected_calls = len({c[0]["call_id"] for c in chosen})
    print(
        f"calls_ingest: {total:,} events of {expected_calls:,} calls, concurrency "
        f"{args.concurrency}, gunicorn {args.workers}×{args.threads}, PostgreSQL, push via "
        f"{'Redis' if redis_url else 'Unix sockets'}"
    )
    print(
        f"  {total / seconds:,.0f} events/s ({seconds:.2f} s); HTTP {statuses}; "
        f"latency p50 {cc.pct(latencies, 50) * 1000:.1f} ms, "
        f"p99 {cc.pct(latencies, 99) * 1000:.1f} ms"
    )
    per_event = (web_cpu + pg_cpu) / total * 1000
    print(
        f"  CPU per event: web {web_cpu / total * 1000:.2f} ms + PostgreSQL "
        f"{pg_cpu / total * 1000:.2f} ms = {per_event:.2f} ms, i.e. at most "
        f"{2000 / per_event:,.0f} events/s on 2 idle cores"
    )
    print(
        f"  database transactions committed during the run: {commits:,} "
        f"({total / max(commits, 1):.1f} events per commit)"
    )
    load_end = os.getloadavg()
    busy = " (machine busy: above 3)" if max(load_start[0], load_end[0]) > 3 else ""
    print(f"  load average (1 min) at start {load_start[0]:.2f}, at end {load_end[0]:.2f}{busy}")
    print(
        f"  check: {offered:,} inbound calls offered on the day (posted {expected_calls:,} "
        f"+ 200 warm-up calls)"
    )


if __name__ == "__main__":
    main()
