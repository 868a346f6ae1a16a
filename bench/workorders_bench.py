"""Work-order benchmark: postdesk serve on 127.0.0.1 with n synthetic work orders.

Measures, per database and size: API creates (requests/s, p50, p99 at concurrency 8 and
32), the order page (API detail and the HTML page), a unit's filtered list (first page
with its total) and a keyword search for a common Chinese word (单 requests on an idle
server). Makes its own data (`workorders.demo.seed_scale`) in its own database
(PostgreSQL `bench_workorders`, created and dropped) or a temporary SQLite file.

    .venv/bin/python bench/workorders_bench.py --pg 100000 --pg 1000000 --sqlite 100000
    .venv/bin/python bench/workorders_bench.py --reuse --pg 1000000   # seed once, keep it

`--reuse` keeps each size's seeded data (PostgreSQL `bench_workorders_seed_<n>`, SQLite
`var/bench_wo_seed_<n>.sqlite3`) and runs every measurement on a fresh copy of it, so
repeated runs (before and after a change, in one sitting) skip the seeding. With
`BENCH_DB_TAG=x` every database and file name of the benchmarks ends in `_x`, so two
people's runs on one machine never drop each other's databases.

Reference (django-helpdesk 2.6.1, 100,000 tickets, SQLite, this machine): ~60 creates/s
at concurrency 8 (p99 390 ms), 1.2 s for a filtered list, 1.6 s for a Chinese keyword
search. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "postdesk.cli"]
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
TAG = f"_{os.environ['BENCH_DB_TAG']}" if os.environ.get("BENCH_DB_TAG") else ""
DB_NAME = f"bench_workorders{TAG}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_reset(drop_only: bool = False, name: str = DB_NAME, template: str = "") -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(
                f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
            )
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def pg_exists(name: str) -> bool:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def run_script(env: dict[str, str], script: str) -> str:
    out = subprocess.run(
        [*CLI, "shell", "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


SEED = """
import sys, time
from postdesk.org import demo as org_demo
from postdesk.workorders import demo
from postdesk.core.services import api_token_create
from postdesk.org.models import User
org_demo.seed()
for u in User.objects.all():
    u.set_password("postdesk"); u.save(update_fields=["password"])
started = time.monotonic()
demo.seed_scale({n}, stdout=sys.stderr)
print("SEEDED", round(time.monotonic() - started, 1))
for name in ("agent1", "branch1"):
    print("TOKEN", name, api_token_create(user=User.objects.get(username=name), name="bench"))
from django.db import connection
if connection.vendor == "postgresql":
    # write the load's pages out now: the measurements should not pay for the seeding's
    # checkpoint (and every page's first change after it) half-way through
    connection.cursor().execute("CHECKPOINT")
"""


TOKENS = """
import sys
from postdesk.core.services import api_token_create
from postdesk.org.models import User
for name in ("agent1", "branch1"):
    print("TOKEN", name, api_token_create(user=User.objects.get(username=name), name="bench"))
"""


def seeded_env(
    kind: str, n: int, var_dir: Path, reuse: bool, pg_name: str = DB_NAME
) -> tuple[dict[str, str], str]:
    """A database holding n seeded orders for one run, and the output of the script that
    seeded it (or only made the tokens, when `reuse` found the seed kept before)."""
    env = {
        **os.environ,
        "POSTDESK_VAR_DIR": str(var_dir),
        "REDIS_URL": "",
        "BACKGROUND_MODE": "sync",
        "ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "postdesk.settings",
    }
    env.pop("TEST_DATABASE_NAME", None)
    seed = SEED.format(n=n)
    if not reuse:
        env["DATABASE_URL"] = (
            pg_reset(name=pg_name) if kind == "pg" else f"sqlite:///{var_dir / 'bench.sqlite3'}"
        )
        subprocess.run([*CLI, "migrate", "-v", "0"], env=env, check=True)
        return env, run_script(env, seed)
    kept = f"bench_workorders_seed_{n}{TAG}"
    kept_file = ROOT / "var" / f"{kept}.sqlite3"
    out = ""
    if not (pg_exists(kept) if kind == "pg" else kept_file.exists()):
        if kind == "pg":
            env["DATABASE_URL"] = pg_reset(name=kept)
        else:
            kept_file.parent.mkdir(exist_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{kept_file}"
        subprocess.run([*CLI, "migrate", "-v", "0"], env=env, check=True)
        out = run_script(env, seed + "\nconnection.close()\n")
        out = "\n".join(r for r in out.splitlines() if not r.startswith("TOKEN"))
        if kind != "pg":
            run_script(
                env,
                "from django.db import connection\n"
                "connection.cursor().execute('PRAGMA wal_checkpoint(TRUNCATE)')",
            )
    if kind == "pg":
        env["DATABASE_URL"] = pg_reset(name=pg_name, template=kept)
    else:
        import shutil

        shutil.copyfile(kept_file, var_dir / "bench.sqlite3")
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    subprocess.run([*CLI, "migrate", "-v", "0"], env=env, check=True)
    if kind == "pg":  # the copy's pages out of the way, as after a seed
        run_script(
            env, "from django.db import connection\nconnection.cursor().execute('CHECKPOINT')"
        )
    return env, out + "\n" + run_script(env, TOKENS)


SEARCH_WORDS = [
    "投诉",
    "延误",
    "破损",
    "没收到",
    "上门揽收",
    "快递员态度",
    "丢失赔偿",
    "海关",
    "地址",
    "退回",
    "签收",
    "包裹",
]


def serve(
    env: dict[str, str], port: int, workers: int = 2, threads: int = 4
) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            *CLI,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--no-worker",
        ],
        env=env,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc
        except Exception:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("postdesk serve did not start")


async def _read(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _lanes(port: int, lanes: list[list[bytes]]) -> tuple[float, dict[int, int], list[float]]:
    statuses: dict[int, int] = {}
    latencies: list[float] = []

    async def lane(requests: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for raw in requests:
            began = time.perf_counter()
            writer.write(raw)
            status, _body = await _read(reader)
            latencies.append(time.perf_counter() - began)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(lane(r) for r in lanes))
    return time.perf_counter() - began, statuses, latencies


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(round(p / 100 * (len(ordered) - 1)), len(ordered) - 1)]


_waybills: list[str] = []


def create_request(port: int, token: str, rng: random.Random) -> bytes:
    """One complaint as an agent takes it: a new caller and waybill, except that one in
    twenty is about a waybill complained of before (the duplicate warning finds it). Not
    one waybill for every order: 5,000 open complaints on one item is no centre's day,
    and the duplicate check would then read them all on each intake."""
    if _waybills and rng.random() < 0.05:
        waybill = rng.choice(_waybills)
    else:
        waybill = f"EA{rng.randrange(10**9):09d}CN"
        _waybills.append(waybill)
    body = json.dumps(
        {
            "type": "complaint",
            "subtype": rng.choice(["delay", "loss", "attitude"]),
            "title": "包裹延误投诉",
            "description": f"客户反映包裹{rng.randint(2, 9)}天未到，要求尽快查明。",
            "caller_phone": f"139{rng.randrange(10**8):08d}",
            "waybill_no": waybill,
        },
        ensure_ascii=False,
    ).encode()
    return (
        f"POST /api/v1/workorders/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Token {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def bench_creates(port: int, token: str, concurrency: int, total: int) -> str:
    rng = random.Random(concurrency)
    per = total // concurrency
    lanes = [[create_request(port, token, rng) for _ in range(per)] for _ in range(concurrency)]
    elapsed, statuses, lat = asyncio.run(_lanes(port, lanes))
    done = sum(statuses.values())
    return (
        f"create c={concurrency}: {done / elapsed:.0f} req/s, p50 {pct(lat, 50) * 1000:.0f} ms, "
        f"p99 {pct(lat, 99) * 1000:.0f} ms, statuses {statuses}"
    )


def timed_get(opener, url: str, headers: dict[str, str], repeat: int) -> tuple[list[float], bytes]:
    times = []
    body = b""
    for _ in range(repeat):
        request = urllib.request.Request(url, headers=headers)
        began = time.perf_counter()
        with opener.open(request, timeout=60) as response:
            body = response.read()
        times.append(time.perf_counter() - began)
    return times, body


def line(label: str, times: list[float], extra: str = "") -> str:
    return (
        f"{label}: median {statistics.median(times) * 1000:.1f} ms, "
        f"p99 {pct(times, 99) * 1000:.1f} ms (n={len(times)}){extra}"
    )


def session_opener(base: str, username: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/login/").read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": username, "password": "postdesk", "csrfmiddlewaretoken": csrf}
    ).encode()
    opener.open(
        urllib.request.Request(base + "/login/", data=data, headers={"Referer": base + "/login/"})
    ).read()
    return opener


def run(kind: str, n: int, reuse: bool = False) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="bench-wo-"))
    print(f"\n=== {kind} with {n:,} work orders ===", flush=True)
    print("load average at start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    env, out = seeded_env(kind, n, var_dir, reuse)
    tokens = {}
    for row in out.splitlines():
        if row.startswith("SEEDED"):
            print(f"seed_scale({n}): {row.split()[1]} s (orders, intake events, search index)")
        if row.startswith("TOKEN"):
            _t, name, token = row.split()
            tokens[name] = token
    port = free_port()
    proc = serve(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        api = urllib.request.build_opener()
        auth = {"Authorization": f"Token {tokens['agent1']}"}
        branch_auth = {"Authorization": f"Token {tokens['branch1']}"}
        # warm up both workers (jieba loads its dictionary on a process's first search)
        timed_get(api, base + "/api/v1/workorders/?unit=WZ-LC01", auth, 6)
        timed_get(api, base + "/api/v1/workorders/?q=" + urllib.parse.quote("邮件"), auth, 10)
        # reads on an idle server first (they do not see the creates' rows warm)
        listing, body = timed_get(api, base + "/api/v1/workorders/?unit=WZ-LC01", auth, 30)
        print(
            line(
                "unit list first page + total (?unit=WZ-LC01)",
                listing,
                f", count {json.loads(body)['count']}",
            ),
            flush=True,
        )
        listing, body = timed_get(
            api, base + "/api/v1/workorders/?unit=WZ-LC01&status=processing&overdue=true", auth, 30
        )
        print(
            line("unit list, open and overdue", listing, f", count {json.loads(body)['count']}"),
            flush=True,
        )
        listing, body = timed_get(api, base + "/api/v1/workorders/", branch_auth, 30)
        print(
            line(
                "branch handler's own list (scope)", listing, f", count {json.loads(body)['count']}"
            ),
            flush=True,
        )
        q = urllib.parse.quote("包裹")
        search, body = timed_get(api, base + f"/api/v1/workorders/?q={q}", auth, 30)
        data = json.loads(body)
        print(
            line(
                "keyword search 包裹",
                search,
                f", count {data['count']}{'' if data['count_exact'] else '+'}",
            ),
            flush=True,
        )
        q2 = urllib.parse.quote("破损")
        search, body = timed_get(api, base + f"/api/v1/workorders/?q={q2}&type=complaint", auth, 30)
        print(
            line(
                "keyword search 破损 among complaints",
                search,
                f", count {json.loads(body)['count']}",
            ),
            flush=True,
        )
        # the search issue's figure: many callers' words, as an agent (everything) and as
        # a branch handler (scoped), open orders only too: p50 and p99 over all requests
        for who, headers, extra in (
            ("agent", auth, ""),
            ("agent, open only", auth, "&status=open"),
            ("branch handler (scope)", branch_auth, ""),
        ):
            times = []
            for word in SEARCH_WORDS:
                url = base + "/api/v1/workorders/?q=" + urllib.parse.quote(word) + extra
                times += timed_get(api, url, headers, 5)[0]
            print(
                f"keyword search, {len(SEARCH_WORDS)} words × 5, {who}: "
                f"p50 {pct(times, 50) * 1000:.1f} ms, p99 {pct(times, 99) * 1000:.1f} ms",
                flush=True,
            )
        numbers = [
            r["number"]
            for r in json.loads(
                timed_get(api, base + "/api/v1/workorders/?unit=WZ-LC01&page_size=50", auth, 1)[1]
            )["results"]
        ]
        times = []
        for number in numbers[:30]:
            t, _b = timed_get(api, base + f"/api/v1/workorders/{number}/", auth, 1)
            times += t
        print(line("order (API detail)", times), flush=True)
        session = session_opener(base, "agent1")
        times = []
        for number in numbers[:30]:
            t, _b = timed_get(session, base + f"/workorders/{number}/", {}, 1)
            times += t
        print(line("order page (HTML)", times), flush=True)
        times, _b = timed_get(session, base + "/workorders/?unit=WZ-LC01", {}, 20)
        print(line("list page (HTML, ?unit=WZ-LC01)", times), flush=True)
        for concurrency, total in ((8, 2400), (32, 3200)):
            print(bench_creates(port, tokens["agent1"], concurrency, total), flush=True)
        print("load average at end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()), flush=True)
    finally:
        proc.terminate()
        proc.wait(20)
        if kind == "pg":
            pg_reset(drop_only=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", type=int, action="append", default=[])
    parser.add_argument("--sqlite", type=int, action="append", default=[])
    parser.add_argument("--reuse", action="store_true", help="keep the seeded data between runs")
    args = parser.parse_args()
    if not args.pg and not args.sqlite:
        args.pg, args.sqlite = [100_000, 1_000_000], [100_000]
    print("postdesk work orders — benchmark (2 gunicorn workers × 4 threads, 127.0.0.1)")
    for n in args.pg:
        run("pg", n, args.reuse)
    for n in args.sqlite:
        run("sqlite", n, args.reuse)


if __name__ == "__main__":
    main()
