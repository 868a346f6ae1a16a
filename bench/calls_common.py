"""Shared helpers of the calls benchmarks: a throw-away PostgreSQL database, a
`postdesk serve` on its own port, and a small asyncio HTTP/1.1 keep-alive client."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"
CLI = [sys.executable, "-m", "postdesk.cli"]
#: `BENCH_DB_TAG=x`: every database name ends in `_x` (two people's runs on one machine
#: never drop each other's databases); `BENCH_REDIS_DB=n`: the push's Redis database.
TAG = f"_{os.environ['BENCH_DB_TAG']}" if os.environ.get("BENCH_DB_TAG") else ""


def create_db(name: str) -> str:
    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG + name


def drop_db(name: str) -> None:
    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def env_for(url: str, var_dir: Path, redis_url: str = "") -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "POSTDESK_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "postdesk.settings",
        "ACCESS_LOG": "",
        "REDIS_URL": redis_url,
        "BACKGROUND_MODE": "sync",
        "LOG_LEVEL": "WARNING",
    }
    return env


def prepare(env: dict[str, str]) -> str:
    """Migrate, load the demo organisation, return a new CTI token."""
    subprocess.run([*CLI, "migrate", "-v", "0"], env=env, check=True)
    script = (
        "from postdesk.org import demo; demo.seed()\n"
        "from postdesk.calls.services import cti_token_create\n"
        "print(cti_token_create(name='bench')[1])"
    )
    out = subprocess.run(
        [*CLI, "shell", "-c", script], env=env, check=True, capture_output=True, text=True
    ).stdout
    return out.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc
        except Exception:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("postdesk serve did not start")


def redis_url(db: int = 7) -> str:
    db = int(os.environ.get("BENCH_REDIS_DB", db))
    try:
        import redis

        url = f"redis://127.0.0.1:6379/{db}"
        redis.Redis.from_url(url, socket_timeout=1).ping()
        return url
    except Exception:
        return ""


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


def request_bytes(path: str, body: bytes, token: str, port: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Token {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def post_all(
    port: int, lanes: list[list[bytes]]
) -> tuple[float, dict[int, int], list[float]]:
    """Each lane is one keep-alive connection posting its requests in order."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []

    async def lane(requests: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for raw in requests:
            t = time.perf_counter()
            writer.write(raw)
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                status = 0
            latencies.append(time.perf_counter() - t)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(lane(requests) for requests in lanes))
    return time.perf_counter() - began, statuses, latencies


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(round(p / 100 * (len(ordered) - 1)), len(ordered) - 1)]


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_pids(root: int) -> list[int]:
    """A process and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def backend_pids(url: str, db: str) -> list[int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [db]
        ).fetchall()
    return [int(r[0]) for r in rows]


def commits(url: str, db: str) -> int:
    """Transactions committed in a database so far (pg_stat_database)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [db]
        ).fetchone()
    return int(row[0]) if row else 0


def cpu_of(pids: list[int]) -> float:
    return sum(_cpu_seconds(pid) for pid in pids)


class BackendCpu:
    """CPU seconds of a database's backends over a period, sampled twice a second (the
    web threads open and close connections as they like)."""

    def __init__(self, url: str, db: str) -> None:
        import threading

        self.url, self.db = url, db
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        for pid in backend_pids(self.url, self.db):
            cpu = _cpu_seconds(pid)
            self.first.setdefault(pid, cpu if not self.last else 0.0)
            self.last[pid] = max(cpu, self.last.get(pid, 0.0))

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return sum(self.last[pid] - self.first[pid] for pid in self.last)
