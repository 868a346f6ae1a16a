"""Screen-pop latency: from the CTI POST to the signed-in agent's browser receiving the
push, through `postdesk serve` (2 gunicorn workers: the POST and the agent's connection
may be on different processes) on PostgreSQL, with a real Chromium.

    .venv/bin/python bench/calls_pop.py [--pops 200] [--no-redis] [--load 0]

Data: the demo organisation in a fresh database `bench_calls_pop` (created and dropped).
agent1's workbench is open; each pop is a newCall ringing at extension 8001, posted 150 ms
apart; latency = the browser's Date.now() at the `call` event − the wall clock just
before the POST (same machine). `--load N` adds N connections posting other calls'
events as fast as they can meanwhile. Prints p50, p90, p99 and max in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calls_common as cc

DB = f"bench_calls_pop{cc.TAG}"


def login(page, base: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", "agent1")
    page.fill("input[name=password]", "postdesk")
    page.click("button[type=submit]")
    page.wait_for_selector("header.topbar")


def background_load(
    port: int, token: str, lanes: int, stop: threading.Event, done: list[float]
) -> None:
    from postdesk.calls.simulation import SimulationConfig, simulate

    start = datetime(2025, 3, 4, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    events = simulate(
        SimulationConfig(
            start=start,
            duration_seconds=8 * 3600,
            calls_per_hour=2000,
            agents=40,
            seed=3,
            first_extension=9001,
        )
    )
    raw = [
        cc.request_bytes("/api/v1/cti/events", json.dumps(b).encode(), token, port) for b in events
    ]

    async def run() -> None:
        for i in range(0, len(raw), 2000):
            if stop.is_set():
                return
            chunk = raw[i : i + 2000]
            seconds, _statuses, _latencies = await cc.post_all(
                port, [chunk[j::lanes] for j in range(lanes)]
            )
            done[0] += len(chunk)
            done[1] += seconds

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pops", type=int, default=200)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--load", type=int, default=0)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    url = cc.create_db(DB)
    redis_url = "" if args.no_redis else cc.redis_url(7)
    with tempfile.TemporaryDirectory() as var:
        env = cc.env_for(url, Path(var), redis_url)
        token = cc.prepare(env)
        port = cc.free_port()
        base = f"http://127.0.0.1:{port}"
        server = cc.serve(env, port)
        stop = threading.Event()
        loader: threading.Thread | None = None
        load_done = [0.0, 0.0]  # events posted by the background load, seconds spent
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    headless=True,
                    args=["--no-sandbox", "--disable-gpu"],
                )
                page = browser.new_page()
                login(page, base)
                page.goto(base + "/calls/")
                page.wait_for_selector("[data-push-state=live]")
                if args.load:
                    loader = threading.Thread(
                        target=background_load,
                        args=(port, token, args.load, stop, load_done),
                        daemon=True,
                    )
                    loader.start()
                    time.sleep(2)
                sent: dict[str, float] = {}
                now = datetime.now(ZoneInfo("Asia/Shanghai"))
                for i in range(args.pops):
                    call_id = f"pop-{i}"
                    body = {
                        "event": "newCall",
                        "call_id": call_id,
                        "direction": "in",
                        "from": f"1380000{i:04d}",
                        "to": "11185",
                        "agent": "8001",
                        "timestamp": (now + timedelta(seconds=i)).isoformat(),
                    }
                    request = urllib.request.Request(
                        base + "/api/v1/cti/events",
                        data=json.dumps(body).encode(),
                        headers={
                            "Authorization": f"Token {token}",
                            "Content-Type": "application/json",
                        },
                    )
                    sent[call_id] = time.time() * 1000
                    urllib.request.urlopen(request, timeout=30).read()
                    time.sleep(0.15)
                time.sleep(2)
                received = page.evaluate("window.__postdeskPush.received")
                browser.close()
        finally:
            stop.set()
            if loader is not None:
                loader.join(timeout=60)  # the chunk under way, before the server goes
            server.terminate()
            server.wait(timeout=30)
    cc.drop_db(DB)
    latencies = sorted(
        r["at"] - sent[r["call_id"]]
        for r in received
        if r.get("call_id") in sent and r["event"] == "newCall"
    )
    print(
        f"calls_pop: {len(latencies)}/{args.pops} pops received; push via "
        f"{'Redis' if redis_url else 'Unix sockets'}; gunicorn 2 workers; background load "
        f"{args.load} connections"
        + (
            f" ({load_done[0] / load_done[1]:,.0f} events/s of other calls meanwhile)"
            if load_done[1]
            else ""
        )
    )
    print(
        f"  POST → browser: p50 {cc.pct(latencies, 50):.1f} ms, p90 {cc.pct(latencies, 90):.1f}"
        f" ms, p99 {cc.pct(latencies, 99):.1f} ms, max {max(latencies):.1f} ms"
    )


if __name__ == "__main__":
    main()
