"""Tracking import benchmark: events/s and peak RSS on SQLite and on PostgreSQL.

    .venv/bin/python bench/tracking_import.py [--events 5000000] [--only sqlite|postgresql]

Generates a deterministic, realistic CSV (``bench/tracking_gen.py``; cached under
bench/out/), then for each database: a fresh database, ``postdesk migrate``, and
``postdesk import_tracking FILE --json`` in a child process, timed from outside (the
whole command: start-up, parsing, loading, the attempts/items refresh), peak RSS of
that child from ``wait4``. Then the same file again (all duplicates: idempotency).
PostgreSQL: the database ``bench_tracking`` on 127.0.0.1:5432 (dropped and re-made).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = ROOT / ".venv" / "bin"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_tracking"


CPU: dict[str, float] = {}


def timed_child(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run a child, return (wall seconds, peak RSS in MiB, stdout); its CPU seconds
    (with the parser process it waited for) go to CPU["last"]."""
    started = time.perf_counter()
    out_path = OUT / "child.out"
    with out_path.open("wb") as out_fh, (OUT / "child.err").open("wb") as err_fh:
        proc = subprocess.Popen(args, env=env, stdout=out_fh, stderr=err_fh, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    CPU["last"] = usage.ru_utime + usage.ru_stime
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write((OUT / "child.err").read_text()[-3000:])
        raise SystemExit(f"{' '.join(args[:2])} failed")
    return seconds, usage.ru_maxrss // 1024, out_path.read_text()


def fresh_database(kind: str) -> dict[str, str]:
    env = dict(os.environ)
    if kind == "sqlite":
        db = OUT / "bench_tracking.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS bench_tracking")
            conn.execute("CREATE DATABASE bench_tracking")
        env["DATABASE_URL"] = PG_URL
    env.pop("REDIS_URL", None)
    env["BACKGROUND_MODE"] = "sync"
    subprocess.run([str(BIN / "postdesk"), "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--no-repeat", action="store_true")
    opts = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / f"tracking_{opts.events}.csv"
    if not data.exists():
        sys.path.insert(0, str(ROOT / "bench"))
        from tracking_gen import generate

        t = time.perf_counter()
        n = generate(opts.events, data)
        print(
            f"generated {n:,} events ({data.stat().st_size / 2**20:.0f} MiB) in "
            f"{time.perf_counter() - t:.0f}s -> {data}"
        )
    print(
        f"data: {data.name}, {data.stat().st_size / 2**20:.0f} MiB, "
        f"{opts.events:,} events (CSV, one month, ~300 offices); machine: "
        f"{os.cpu_count()} CPUs"
    )
    kinds = [opts.only] if opts.only else ["sqlite", "postgresql"]
    for kind in kinds:
        env = fresh_database(kind)
        cmd = [str(BIN / "postdesk"), "import_tracking", str(data), "--json"]
        load_before = os.getloadavg()[0]
        seconds, rss, out = timed_child(cmd, env)
        doc = json.loads(out.strip().splitlines()[-1])
        print(
            f"{kind:10s} first import : {doc['lines']:,} lines, {doc['created']:,} created, "
            f"{doc['rejected']:,} rejected; {seconds:.1f}s wall -> "
            f"{doc['lines'] / seconds:,.0f} events/s (phases {doc.get('timings')}); "
            f"peak RSS {rss} MiB; client CPU {CPU['last']:.0f}s; "
            f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if not opts.no_repeat:
            seconds, rss, out = timed_child(cmd, env)
            doc = json.loads(out.strip().splitlines()[-1])
            print(
                f"{kind:10s} re-import    : {doc['created']:,} created, "
                f"{doc['duplicates']:,} duplicates; {seconds:.1f}s -> "
                f"{doc['lines'] / seconds:,.0f} events/s; peak RSS {rss} MiB; "
                f"client CPU {CPU['last']:.0f}s",
                flush=True,
            )


if __name__ == "__main__":
    main()
