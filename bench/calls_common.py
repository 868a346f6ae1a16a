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
