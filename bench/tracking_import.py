"""Tracking import benchmark: events/s and peak RSS on SQLite and on PostgreSQL.

    .venv/bin/python bench/tracking_import.py [--events 5000000] [--only sqlite|postgresql]

Generates a deterministic, realistic CSV (``bench/tracking_gen.py``; cached under
bench/out/), then for each database: a fresh database, ``postdesk migrate``, and
``postdesk import_tracking FILE --json`` in a child process, timed from outside (the
whole command: start-up, parsing, loading, the attempts/items refresh), peak RSS of
that child from ``wait4``, its CPU seconds (with the parsing process it waited for) and,
on PostgreSQL, the CPU seconds of the database processes that served it; the load
average at start and end (another engineer's work on this 2-core machine slows every
figure: above 3 the line says so). Then the same file again (all duplicates).
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
TICK = os.sysconf("SC_CLK_TCK")


class ServerCpu:
    """CPU seconds of the PostgreSQL processes serving ``database`` (backends,
    autovacuum workers) while a child runs: their pids are polled from pg_stat_activity
    and their /proc counters kept until they exit (PostgreSQL runs on this machine)."""

    def __init__(self, database: str) -> None:
        import threading

        self.database = database
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.poll, daemon=True)

    def poll(self) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchall()
                for (pid,) in rows:
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    self.seen[pid] = (int(fields[11]) + int(fields[12])) / TICK
                self.stop.wait(0.25)

    def __enter__(self) -> ServerCpu:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def busy(load: tuple[float, float]) -> str:
    return " (machine busy: load average above 3)" if max(load) > 3 else ""


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
        for label in ["first import", "re-import"][: 1 if opts.no_repeat else 2]:
            load = [os.getloadavg()[0]]
            server = ServerCpu("bench_tracking") if kind == "postgresql" else None
            if server is not None:
                with server:
                    seconds, rss, out = timed_child(cmd, env)
            else:
                seconds, rss, out = timed_child(cmd, env)
            load.append(os.getloadavg()[0])
            doc = json.loads(out.strip().splitlines()[-1])
            timings = doc.get("timings") or {}
            server_cpu = f", database server CPU {server.seconds:.0f}s" if server else ""
            print(
                f"{kind:10s} {label:12s}: {doc['lines']:,} lines, {doc['created']:,} created, "
                f"{doc['duplicates']:,} duplicates, {doc['rejected']:,} rejected; "
                f"{seconds:.1f}s wall -> {doc['lines'] / seconds:,.0f} events/s end to end; "
                f"load {timings.get('load', 0):.1f}s + refresh {timings.get('refresh', 0):.1f}s; "
                f"peak RSS {rss} MiB; CPU: import command {CPU['last']:.0f}s{server_cpu}; "
                f"load average {load[0]:.1f} -> {load[1]:.1f}{busy((load[0], load[1]))}",
                flush=True,
            )


if __name__ == "__main__":
    main()
