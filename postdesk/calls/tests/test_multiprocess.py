"""End to end across processes: `postdesk serve` with two gunicorn workers; the CTI POST
and the agent's push connections land on different processes.

The server runs on a database of its own, of the suite's kind (a SQLite file, or a
PostgreSQL database beside the test database). Without REDIS_URL (the embedded mode) the
push crosses processes through Unix sockets; with REDIS_URL (the PostgreSQL run) through
Redis.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

SETUP = """
from postdesk.org import demo
demo.seed()
from postdesk.calls.services import cti_token_create
print(cti_token_create(name="mp")[1])
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_for_the_server(tmp: Path):
    """The server's own database, of the suite's kind: a SQLite file, or a fresh
    PostgreSQL database beside the test database (dropped at the end)."""
    from django.conf import settings

    if not settings.IS_POSTGRES:
        return f"sqlite:///{tmp}/db.sqlite3", None
    import psycopg

    db = settings.DATABASES["default"]
    name = f"{db.get('TEST', {}).get('NAME') or 'test_' + db['NAME']}_served"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    user, password = db["USER"] or "postgres", db["PASSWORD"] or None
    admin = {"host": host, "port": port, "user": user, "password": password}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    secret = f":{password}" if password else ""
    return f"postgres://{user}{secret}@{host}:{port}/{name}", drop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp: Path = tmp_path_factory.mktemp("serve")
    database_url, drop = _database_for_the_server(tmp)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "POSTDESK_VAR_DIR": str(tmp),
        "DJANGO_SETTINGS_MODULE": "postdesk.settings",
        "ACCESS_LOG": "",
        "BACKGROUND_MODE": "sync",
        "POSTDESK_METRICS_TOKEN": "mp-metrics",
    }
    env.pop("TEST_DATABASE_NAME", None)
    cli = [sys.executable, "-m", "postdesk.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    token = (
        subprocess.run(
            [*cli, "shell", "-c", SETUP],
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = _free_port()
    proc = subprocess.Popen(
        [
            *cli,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "4",
            "--no-worker",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    # until it answers, however busy the machine is (the suite runs on two workers); a
    # server that exited says why at once
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("postdesk serve did not start: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    yield {"base": base, "port": port, "token": token, "env": env, "cli": cli}
    proc.terminate()
    proc.wait(timeout=20)
    if drop is not None:
        drop()


def _session_cookie(base: str, username: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/login/", timeout=10).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": username, "password": "postdesk", "csrfmiddlewaretoken": csrf}
    ).encode()
    request = urllib.request.Request(
        base + "/login/", data=data, headers={"Referer": base + "/login/"}
    )
    opener.open(request, timeout=10).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class Stream:
    """One SSE connection read on a thread."""

    def __init__(self, port: int, cookie: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.conn.request(
            "GET", "/calls/stream/", headers={"Cookie": cookie, "Accept": "text/event-stream"}
        )
        self.response = self.conn.getresponse()
        assert self.response.status == 200, self.response.read()
        self.events: list[tuple[str, dict]] = []
        self.hello = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name, data = "", ""
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line == "" and name:
                    self.events.append((name, json.loads(data)))
                    if name == "hello":
                        self.hello.set()
                    name, data = "", ""
        except Exception:
            pass

    @property
    def worker(self) -> int:
        assert self.hello.wait(10)
        return self.events[0][1]["worker"]

    def wait_for(self, kind: str, timeout: float = 5.0) -> dict | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, data in self.events:
                if name == kind:
                    return data
            time.sleep(0.02)
        return None

    def close(self) -> None:
        self.conn.close()


def test_pop_crosses_web_processes(server):
    agent1 = _session_cookie(server["base"], "agent1")
    agent2 = _session_cookie(server["base"], "agent2")
    streams: dict[int, Stream] = {}
    spare: list[Stream] = []
    for _ in range(40):
        stream = Stream(server["port"], agent1)
        if stream.worker in streams:
            spare.append(stream)
        else:
            streams[stream.worker] = stream
        if len(streams) == 2:
            break
    assert len(streams) == 2, "could not reach both web processes"
    other_agent = Stream(server["port"], agent2)
    assert other_agent.worker
    time.sleep(0.5)  # both processes' push listeners are subscribed
    body = {
        "event": "newCall",
        "call_id": "mp-1",
        "timestamp": "2025-03-04T09:00:00+08:00",
        "direction": "in",
        "from": "13812345678",
        "to": "11185",
        "agent": "8001",
    }
    for event in (
        body,
        {
            "event": "answer",
            "call_id": "mp-1",
            "timestamp": "2025-03-04T09:00:04+08:00",
            "agent": "8001",
        },
    ):
        request = urllib.request.Request(
            server["base"] + "/api/v1/cti/events",
            data=json.dumps(event).encode(),
            headers={
                "Authorization": f"Token {server['token']}",
                "Content-Type": "application/json",
            },
        )
        assert urllib.request.urlopen(request, timeout=10).status == 200
    # Whichever process took the POST, one of the two connections is on the other one.
    for stream in streams.values():
        got = stream.wait_for("call")
        assert got is not None, f"no pop on worker {stream.worker}"
        assert got["event"] in ("newCall", "answer")
    assert other_agent.wait_for("call", timeout=1.0) is None
    # A reconnecting client gets the current call in its hello.
    again = Stream(server["port"], agent1)
    assert again.hello.wait(10) and again.events[0][1]["call"]
    for stream in [*streams.values(), *spare, other_agent, again]:
        stream.close()


def test_stream_needs_a_session(server):
    conn = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=10)
    conn.request("GET", "/calls/stream/")
    assert conn.getresponse().status == 401
    # ordinary views still answer on the same port
    assert urllib.request.urlopen(server["base"] + "/health", timeout=5).status == 200


def test_the_simulator_replays_a_day_that_the_server_reports(server):
    run = subprocess.run(
        [
            *server["cli"],
            "simulate_calls",
            "--url",
            server["base"],
            "--token",
            server["token"],
            "--calls-per-hour",
            "90",
            "--agents",
            "3",
            "--aht",
            "150",
            "--patience",
            "40",
            "--hours",
            "2",
            "--start",
            "2025-03-10T09:00:00+08:00",
            "--seed",
            "7",
            "--speed",
            "0",
            "--concurrency",
            "4",
            "--json",
        ],
        env=server["env"],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = json.loads(run.stdout)
    assert summary["statuses"] == {"200": summary["events"]}
    expected = summary["expected"]
    assert expected["offered"] > 100 and expected["abandoned"] > 0
    report = subprocess.run(
        [*server["cli"], "call_metrics", "--date", "2025-03-10", "--json"],
        env=server["env"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    actual = json.loads(report.stdout)
    for key in (
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
        "service_level",
        "abandonment_rate",
        "asa_seconds",
        "aht_seconds",
        "answered_per_agent",
    ):
        assert actual[key] == expected[key], key


def _post_raw(server, body: bytes, token: str, language: str = "zh-hans"):
    request = urllib.request.Request(
        server["base"] + "/api/v1/cti/events",
        data=body,
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept-Language": language,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_served_endpoint_keeps_the_contract(server):
    """Under `postdesk serve` (group commit, `CtiEventsMiddleware`): the statuses and
    error bodies of the API's contract."""
    body = {
        "event": "newCall",
        "call_id": "fp-1",
        "timestamp": "2025-03-04T09:00:00+08:00",
        "direction": "in",
        "from": "13812345678",
        "to": "11185",
    }
    raw = json.dumps(body).encode()
    assert _post_raw(server, raw, server["token"]) == (200, {"status": "stored", "call_id": "fp-1"})
    assert _post_raw(server, raw, server["token"]) == (
        200,
        {"status": "duplicate", "call_id": "fp-1"},
    )
    status, error = _post_raw(server, raw, "forged")
    assert status == 401 and error["code"] == "not_authenticated"
    status, error = _post_raw(
        server, json.dumps({**body, "direction": "up"}).encode(), server["token"]
    )
    assert status == 400 and error["code"] == "validation_error"
    assert error["fields"] == {"direction": "只能是“in”或“out”。"}
    status, error = _post_raw(server, b"{oops", server["token"], language="en")
    assert status == 400 and error["fields"] == {"body": "The body is not valid JSON."}


def _count(server, sql: str) -> int:
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        f"    c.execute({sql!r})\n"
        "    print(c.fetchone()[0])"
    )
    out = subprocess.run(
        [*server["cli"], "shell", "-c", script],
        env=server["env"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    return int(out.strip().splitlines()[-1])


def test_bad_events_posted_with_good_ones_fail_alone(server):
    """Issue 11: 40 valid and 5 bad events (year 1 or 9999) posted at once, four times
    over. Every bad one is refused with 400 naming its timestamp before it reaches a
    group-commit batch; every valid one is answered 200 and stored."""
    from concurrent.futures import ThreadPoolExecutor

    bad_times = [
        "0001-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59-08:00",
        "0001-01-01T07:00:00+08:00",
        "9999-12-31T20:00:00+00:00",
        "9999-12-31T23:59:59+14:00",
    ]
    bodies = []
    for round_ in range(4):
        for i in range(40):
            bodies.append(
                {
                    "event": "newCall",
                    "call_id": f"pb-{round_}-{i}",
                    "timestamp": f"2025-03-05T09:{i:02d}:00+08:00",
                    "direction": "in",
                    "from": "13812345678",
                    "to": "11185",
                }
            )
        for i, at in enumerate(bad_times):
            bodies.append({"event": "newCall", "call_id": f"pb-bad-{round_}-{i}", "timestamp": at,
                           "direction": "in", "from": "13812345678", "to": "11185"})  # fmt: skip

    def post(body):
        return body, _post_raw(server, json.dumps(body).encode(), server["token"])

    for round_ in range(4):
        batch = [
            b for b in bodies if b["call_id"].startswith((f"pb-{round_}-", f"pb-bad-{round_}-"))
        ]
        with ThreadPoolExecutor(max_workers=len(batch)) as pool:
            answers = list(pool.map(post, batch))
        for body, (status, reply) in answers:
            if body["call_id"].startswith("pb-bad-"):
                assert status == 400 and "timestamp" in reply["fields"], (body, reply)
            else:
                assert (status, reply) == (200, {"status": "stored", "call_id": body["call_id"]})
    assert _count(server, "SELECT count(*) FROM calls_call WHERE call_id LIKE 'pb-%'") == 160
    assert _count(server, "SELECT count(*) FROM calls_call WHERE call_id LIKE 'pb-bad-%'") == 0


def _scrape(server) -> dict[tuple[str, tuple], float]:
    from prometheus_client.parser import text_string_to_metric_families

    request = urllib.request.Request(
        server["base"] + "/metrics", headers={"Authorization": "Bearer mp-metrics"}
    )
    text = urllib.request.urlopen(request, timeout=10).read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_sum_every_web_process(server):
    """Issue 12: /metrics in any gunicorn worker counts what every worker did
    (prometheus_client's multi-process mode, set up by `postdesk serve`)."""
    live = (
        "postdesk_http_requests_total",
        (("method", "GET"), ("route", "/health/live"), ("status", "200")),
    )
    rang = ("postdesk_cti_events_total", (("event", "newCall"),))
    pops = ("postdesk_screen_pop_seconds_count", ())
    before = _scrape(server)
    pids = set()
    for _ in range(30):  # a new connection each: both workers take some
        urllib.request.urlopen(server["base"] + "/health/live", timeout=5).read()
    for n in range(6):
        request = urllib.request.Request(
            server["base"] + "/api/v1/cti/events",
            data=json.dumps({"event": "newCall", "call_id": f"metrics-{n}", "direction": "in",
                             "timestamp": "2025-03-05T09:00:00+08:00", "from": "13812345678",
                             "to": "11185"}).encode(),
            headers={"Authorization": f"Token {server['token']}",
                     "Content-Type": "application/json"},
        )  # fmt: skip
        assert urllib.request.urlopen(request, timeout=10).status == 200
    for _ in range(10):
        stream = Stream(server["port"], _session_cookie(server["base"], "agent1"))
        pids.add(stream.worker)
        stream.close()
    assert len(pids) == 2, "both workers answer"
    after = _scrape(server)
    delta = {name: after[key] - before.get(key, 0) for name, key in
             (("live", live), ("newCall", rang), ("pops", pops))}  # fmt: skip
    print(f"metrics across both workers: {delta}")
    assert delta == {"live": 30, "newCall": 6, "pops": 6}
    assert ("postdesk_outbox_pending", ()) in after
    unauthorised = urllib.request.Request(server["base"] + "/metrics")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unauthorised, timeout=5)
    assert refused.value.code == 401
