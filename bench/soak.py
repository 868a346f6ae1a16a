"""Soak: the production topology on this machine under 200 agents and a PBX for 10 minutes.

    .venv/bin/pip install -r requirements/bench.txt      # locust (bench-only)
    .venv/bin/python bench/soak.py [--minutes 10] [--users 200] [--cti-rate 300]

Topology: a fresh PostgreSQL database `bench_soak` (migrated, `postdesk seed_demo`, then
`--users` agent accounts with API tokens), a Redis server of its own on a spare port,
two `postdesk serve` processes (gunicorn, 2 workers × 8 threads each, no embedded
worker), one Celery worker (`-Q default,notifications,imports,reports --concurrency 2`)
and one beat, as README's production topology. Load: locust headless
(`bench/soak_locustfile.py`): each agent, signed in with its own token and sticking to
one node, does a request every 2–5 s — intake (open a work order), lists, keyword
search, knowledge-base search, tracking by waybill and by phone, delivery result entry;
a PBX of 100 trunks posts newCall/answer/hangup of synthetic calls, alternating between
the nodes, at `--cti-rate` events/s in all (constant throughput).

Prints, per request kind: count, req/s, p50/p95/p99 and the HTTP statuses; the errors;
the total throughput; the CTI events/s achieved; the RSS of each process (its whole tree) at the
start of the load, half-way and at the end; what the database holds against the
answers; the load average at start and end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calls_common as cc

DB = f"bench_soak{cc.TAG}"
HERE = Path(__file__).resolve().parent
PBX_USERS = 100

SETUP = """
import json
from postdesk.calls.services import cti_token_create
from postdesk.core.services import api_token_create
from postdesk.org.models import Unit, User
from postdesk.org.services import staff_create
from postdesk.tracking.models import Item
unit = Unit.objects.get(code="WZ-11185-HW")
tokens, extensions = [], []
for i in range(1, {users} + 1):
    user = staff_create(username=f"soak{{i:03d}}", password=None, role="agent", unit=unit,
                        display_name=f"坐席{{i:03d}}", agent_no=f"S{{i:03d}}",
                        extension=str(7000 + i))
    tokens.append(api_token_create(user=user, name="soak"))
    extensions.append(str(7000 + i))
waybills = sorted(Item.objects.values_list("waybill_no", flat=True))
print(json.dumps({{"cti": cti_token_create(name="soak")[1], "tokens": tokens,
                  "extensions": extensions, "waybills": waybills}}))
"""


def rss_mb(pid: int) -> float:
    """The resident memory of a process and its descendants, in MiB."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return float("nan")
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total / 2**20


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live descendants."""
    total = 0.0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def start(name: str, argv: list[str], env: dict[str, str], logs: Path) -> subprocess.Popen:
    log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_health(port: int) -> None:
    import urllib.request

    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"postdesk serve on {port} did not start")


def questions() -> list[str]:
    import yaml

    return [q["q"] for q in yaml.safe_load((HERE / "kb_questions.yaml").read_text())]


def report(found: dict[str, Any], seconds: float) -> tuple[int, int]:
    """Print the table by request kind; answer (all requests, CTI events)."""
    print(f"  {'kind':<15}{'count':>9}{'req/s':>9}{'p50':>8}{'p95':>8}{'p99':>8}  statuses")
    all_times: list[float] = []
    all_codes: Counter[str] = Counter()
    for kind in sorted(found["times"]):
        times, codes = found["times"][kind], found["statuses"][kind]
        all_times.extend(times)
        all_codes.update(codes)
        print(f"  {kind:<15}{len(times):>9,}{len(times) / seconds:>9.1f}"
              f"{cc.pct(times, 50):>8.0f}{cc.pct(times, 95):>8.0f}{cc.pct(times, 99):>8.0f}"
              f"  {dict(sorted(codes.items()))}")  # fmt: skip
    print(f"  {'total':<15}{len(all_times):>9,}{len(all_times) / seconds:>9.1f}"
          f"{cc.pct(all_times, 50):>8.0f}{cc.pct(all_times, 95):>8.0f}"
          f"{cc.pct(all_times, 99):>8.0f}  {dict(sorted(all_codes.items()))}")  # fmt: skip
    errors = {k: n for k, n in all_codes.items() if not 200 <= int(k) < 300}
    print(f"  errors by status: {errors or 'none'} (latencies in ms; status 0: no HTTP answer)")
    return len(all_times), len(found["times"].get("cti", []))


def check(url: str, found: dict[str, Any]) -> None:
    """What the database holds against the answers given."""
    import psycopg

    with psycopg.connect(url) as conn:
        orders = conn.execute("SELECT count(*) FROM workorders_workorder").fetchone()
        calls = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE ended_at IS NOT NULL) FROM calls_call "
            "WHERE call_id LIKE 'soak-%%'"
        ).fetchone()
        entered = conn.execute(
            "SELECT count(*) FROM tracking_event WHERE entered_by_id IS NOT NULL"
        ).fetchone()
    created = found["statuses"].get("intake", {}).get("201", 0)
    results = found["statuses"].get("result", {}).get("201", 0)
    print(
        f"  check: {orders[0]:,} work orders stored (demo's and {created:,} opened), "
        f"{calls[0]:,} PBX calls stored ({calls[1]:,} ended), {entered[0]:,} delivery "
        f"results entered ({results:,} answered 201)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--cti-rate", type=float, default=300)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    locust = shutil.which("locust", path=str(Path(sys.executable).parent))
    if locust is None:
        raise SystemExit("locust is missing: .venv/bin/pip install -r requirements/bench.txt")
    var = Path(tempfile.mkdtemp(prefix="soak-"))
    redis_port = cc.free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = cc.create_db(DB)
    env = {
        **cc.env_for(url, var, f"redis://127.0.0.1:{redis_port}/0"),
        "MEDIA_ROOT": str(var / "media"),
        "BACKGROUND_MODE": "celery",
        "POSTDESK_METRICS_TOKEN": "soak-metrics",
        "POSTDESK_SITE_URL": "http://127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    procs: dict[str, subprocess.Popen] = {}
    try:
        t = time.monotonic()
        subprocess.run([*cc.CLI, "migrate", "-v", "0"], env=env, check=True)
        subprocess.run([*cc.CLI, "seed_demo"], env=env, check=True, capture_output=True)
        out = subprocess.run(
            [*cc.CLI, "shell", "-c", SETUP.format(users=args.users)],
            env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        data = json.loads(out.strip().splitlines()[-1])
        print(
            f"soak: setup {time.monotonic() - t:.0f} s — {args.users} agents with tokens, "
            f"{len(data['waybills'])} tracked waybills, Redis on :{redis_port}"
        )
        ports = [cc.free_port(), cc.free_port()]
        for i, port in enumerate(ports, 1):
            procs[f"web{i}"] = start(
                f"web{i}",
                [*cc.CLI, "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", str(args.workers), "--threads", str(args.threads), "--no-worker"],
                env, var,
            )  # fmt: skip
        celery = str(Path(sys.executable).parent / "celery")
        procs["worker"] = start(
            "worker",
            [celery, "-A", "postdesk", "worker", "-Q", "default,notifications,imports,reports",
             "--concurrency", "2", "-n", "soak@localhost", "--loglevel=WARNING"],
            env, var,
        )  # fmt: skip
        procs["beat"] = start(
            "beat",
            [celery, "-A", "postdesk", "beat", "-s", str(var / "beat-schedule"),
             "--loglevel=WARNING"],
            env, var,
        )  # fmt: skip
        for port in ports:
            wait_health(port)
        time.sleep(3)  # the worker's pool is up
        data["nodes"] = [f"http://127.0.0.1:{p}" for p in ports]
        data["questions"] = questions()
        (var / "data.json").write_text(json.dumps(data), encoding="utf-8")

        memory: dict[str, list[float]] = {name: [] for name in procs}

        def sample() -> None:
            for name, proc in procs.items():
                memory[name].append(rss_mb(proc.pid))

        total_users = args.users + PBX_USERS
        seconds = args.minutes * 60
        lenv = {
            **os.environ,
            "SOAK_DATA": str(var / "data.json"),
            "SOAK_STATUSES": str(var / "statuses.json"),
            "SOAK_PBX_USERS": str(PBX_USERS),
            "SOAK_PBX_RATE": str(args.cti_rate / PBX_USERS),
        }
        sample()
        load_start = os.getloadavg()
        cpu0 = {name: cpu_s(proc.pid) for name, proc in procs.items()}
        backends = cc.BackendCpu(url, DB)
        began = time.monotonic()
        locust_log = open(var / "locust.log", "wb")  # noqa: SIM115 (closed below)
        runner = subprocess.Popen(
            [locust, "-f", str(HERE / "soak_locustfile.py"), "--headless",
             "-u", str(total_users), "-r", "20", "-t", f"{int(seconds)}s",
             "--host", data["nodes"][0], "--only-summary", "--loglevel", "WARNING",
             "--exit-code-on-error", "0"],
            env=lenv, stdout=locust_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        half = threading.Timer(seconds / 2, sample)
        half.start()
        locust_cpu = 0.0
        while runner.poll() is None:  # locust's own CPU, read while it still runs
            locust_cpu = max(locust_cpu, cpu_s(runner.pid))
            time.sleep(1)
        locust_log.close()
        elapsed = time.monotonic() - began
        half.cancel()
        sample()
        cpu = {name: cpu_s(proc.pid) - cpu0[name] for name, proc in procs.items()}
        cpu["PostgreSQL"] = backends.stop()
        cpu["locust"] = locust_cpu
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"  !! {name} exited with {proc.returncode} during the run")
        found = json.loads((var / "statuses.json").read_text())
        run_seconds = min(elapsed, seconds)  # locust's -t: from its first user on
        load_end = os.getloadavg()
        print(
            f"soak: {args.minutes:g} min, {args.users} agents + PBX ({PBX_USERS} trunks, "
            f"target {args.cti_rate:g} events/s) on 2 × `postdesk serve` ({args.workers} "
            f"workers × {args.threads} threads), Celery worker + beat, PostgreSQL, Redis"
        )
        total, cti = report(found, run_seconds)
        print(
            f"  throughput: {total / run_seconds:,.1f} req/s in all ({total:,} requests); "
            f"agents {(total - cti) / run_seconds:,.1f} req/s; CTI {cti / run_seconds:,.1f} "
            f"events/s achieved (target {args.cti_rate:g})"
        )
        print("  RSS MiB (process tree)  start   half    end  start→end  half→end")
        for name, values in memory.items():
            while len(values) < 3:
                values.insert(1, float("nan"))
            first, mid, last = values[0], values[1], values[-1]
            print(f"    {name:<22}{first:>6.0f} {mid:>6.0f} {last:>6.0f}"
                  f"{last - first:>+10.0f}{last - mid:>+10.0f}")  # fmt: skip
        spent = sum(cpu.values())
        print(
            "  CPU s during the load: "
            + ", ".join(f"{name} {value:,.0f}" for name, value in cpu.items())
            + f" = {spent:,.0f} of the machine's {os.cpu_count() or 1} × {elapsed:.0f} s "
            f"({spent / ((os.cpu_count() or 1) * elapsed):.0%}); the rest went to others"
        )
        check(url, found)
        busy = " (machine busy: above 3)" if max(load_start[0], load_end[0]) > 3 else ""
        print(
            f"  load average (1 min) at start {load_start[0]:.2f}, at end {load_end[0]:.2f}{busy}"
        )
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        redis.terminate()
        redis.wait(10)
        cc.drop_db(DB)
        if args.keep_logs:
            print(f"  logs in {var}")
        else:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
