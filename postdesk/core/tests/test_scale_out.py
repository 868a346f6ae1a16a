"""Issue 12, scale-out: the production topology on one machine, and nothing lost across it.

Two `postdesk serve` processes on different ports, two Celery workers and one beat, on a
PostgreSQL database and a Redis server of this test's own (spare ports), e-mail to a real
local SMTP relay. A realistic mix goes through both nodes at once — work orders taken on
one node and dispatched on the other, calls whose events alternate between the nodes,
lists and the knowledge search — and at the end every write and every delivery is counted:
each order stored once, each dispatch e-mailed exactly once, each call with all its
events, the outbox empty. An agent's browser on one node gets the pop of a call whose
event was posted to the other.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import (
    POSTDESK_CLI,
    FakeSMTPServer,
    RedisServer,
    free_port,
    postdesk_env,
    postdesk_run,
    scratch_database,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgresql]

SETUP = """
import json
from postdesk.org import demo
demo.seed()
from postdesk.calls.services import cti_token_create
from postdesk.core.services import api_token_create
from postdesk.org.models import User
tokens = {u: api_token_create(user=User.objects.get(username=u), name="scale-out")
          for u in ("agent1", "agent2", "lead1")}
print(json.dumps({"cti": cti_token_create(name="scale-out")[1], **tokens}))
"""
METRICS_TOKEN = "scale-out-metrics"
UNITS = ("WZ-LC01", "WZ-LW01")


def _wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


class Centre:
    """The processes of the topology, started and stopped together."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.redis = RedisServer().start()
        self.smtp = FakeSMTPServer().open()
        self.database_url, self._drop = scratch_database(tmp, "scale_out")
        self.env = postdesk_env(
            self.database_url,
            tmp,
            REDIS_URL=self.redis.url,
            BACKGROUND_MODE="celery",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp.port),
            POSTDESK_METRICS_TOKEN=METRICS_TOKEN,
            POSTDESK_SITE_URL="http://127.0.0.1",
        )
        postdesk_run(self.env, "migrate", "-v", "0")
        self.tokens = json.loads(
            postdesk_run(self.env, "shell", "-c", SETUP).stdout.splitlines()[-1]
        )
        self.nodes = [self._serve(), self._serve()]
        celery = str(Path(sys.executable).parent / "celery")
        for n in (1, 2):
            self._start(
                f"worker{n}",
                [celery, "-A", "postdesk", "worker", "-Q", "default,notifications,imports,reports",
                 "--pool=solo", "-n", f"scale-out-{n}@localhost", "--without-gossip",
                 "--without-mingle", "--loglevel=WARNING"],
            )  # fmt: skip
        self._start(
            "beat",
            [celery, "-A", "postdesk", "beat", "-s", str(tmp / "beat-schedule"),
             "--loglevel=WARNING"],
        )  # fmt: skip
        for base in self.nodes:
            _wait_until(lambda base=base: self._answers(base), 60, f"{base}/health")

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append((name, proc))
        return proc

    def _serve(self) -> str:
        port = free_port()
        self._start(
            f"web{len(self.procs)}",
            [*POSTDESK_CLI, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "1", "--threads", "8", "--no-worker"],
        )  # fmt: skip
        return f"http://127.0.0.1:{port}"

    @staticmethod
    def _answers(base: str) -> bool:
        try:
            return urllib.request.urlopen(base + "/health", timeout=1).status == 200
        except Exception:
            return False

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n" + (self.tmp / f"{name}.log").read_text(errors="replace")[-1500:]
            for name, _ in self.procs
        )

    def stop(self) -> None:
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for _, proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.smtp.close()
        self.redis.kill()
        if self._drop is not None:
            self._drop()

    def count(self, sql: str) -> int:
        script = (
            "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            f"    c.execute({sql!r})\n"
            "    print(c.fetchone()[0])"
        )
        return int(postdesk_run(self.env, "shell", "-c", script).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    from django.conf import settings

    assert settings.IS_POSTGRES, "the scale-out test runs on PostgreSQL"
    topology = Centre(tmp_path_factory.mktemp("scale-out"))
    yield topology
    topology.stop()


def _call(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _cti(centre: Centre, node: int, event: dict) -> int:
    return _call("POST", centre.nodes[node] + "/api/v1/cti/events", centre.tokens["cti"], event)[0]


def _deep(centre: Centre, node: int = 0) -> dict:
    request = urllib.request.Request(
        centre.nodes[node] + "/health/deep", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_a_call_posted_to_one_node_pops_in_a_browser_on_the_other(centre, chromium):
    context = chromium.new_context(base_url=centre.nodes[1], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto("/login/")
        page.fill("input[name=username]", "agent1")
        page.fill("input[name=password]", "postdesk")
        page.click("button[type=submit]")
        page.wait_for_selector("header.topbar")
        page.goto("/calls/")
        page.wait_for_selector("[data-push-state=live]")
        now = datetime.now(UTC)
        ring = {
            "event": "newCall",
            "call_id": "so-pop",
            "timestamp": now.isoformat(),
            "direction": "in",
            "from": "13957754321",
            "to": "11185",
            "agent": "8001",
        }
        answer = {
            "event": "answer",
            "call_id": "so-pop",
            "agent": "8001",
            "timestamp": (now + timedelta(seconds=2)).isoformat(),
        }
        assert _cti(centre, 0, ring) == 200 and _cti(centre, 0, answer) == 200
        page.locator("[data-testid=pop-body][data-call-id=so-pop]").wait_for()
        assert page.locator("[data-testid=caller-number]").inner_text() == "13957754321"
    finally:
        page.goto("about:blank")
        context.close()


def _intake_and_dispatch(centre: Centre, i: int) -> dict:
    """One agent's work order: taken on one node, dispatched on the other, read back."""
    token = centre.tokens["agent1" if i % 2 else "agent2"]
    here, there = centre.nodes[i % 2], centre.nodes[(i + 1) % 2]
    status, made = _call(
        "POST",
        here + "/api/v1/workorders/",
        token,
        {
            "type": "complaint",
            "subtype": "delay",
            "title": f"包裹延误 {i}",
            "description": "寄往上海的包裹五天未到",
            "caller_phone": f"1381234{i:04d}",
        },
    )
    statuses = [status]
    number = made.get("number")
    if status == 201:
        unit = UNITS[i % 2]
        status, _ = _call(
            "POST", f"{there}/api/v1/workorders/{number}/actions/dispatch/", token, {"unit": unit}
        )
        statuses.append(status)
        statuses.append(_call("GET", f"{here}/api/v1/workorders/{number}/", token)[0])
        statuses.append(_call("GET", f"{there}/api/v1/workorders/?status=dispatched", token)[0])
    return {"number": number, "statuses": statuses}


def _a_call(centre: Centre, i: int) -> list[int]:
    """A call whose events alternate between the nodes."""
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=i)
    call_id = f"so-{i}"
    events = [
        {"event": "newCall", "call_id": call_id, "timestamp": start.isoformat(),
         "direction": "in", "from": f"1390577{i:04d}", "to": "11185"},
        {"event": "answer", "call_id": call_id, "agent": "8002",
         "timestamp": (start + timedelta(seconds=5)).isoformat()},
        {"event": "hangup", "call_id": call_id, "cause": "normalClearing",
         "timestamp": (start + timedelta(seconds=95)).isoformat()},
    ]  # fmt: skip
    return [_cti(centre, (i + n) % 2, event) for n, event in enumerate(events)]


def _reads(centre: Centre, i: int) -> list[int]:
    base, token = centre.nodes[i % 2], centre.tokens["lead1"]
    return [
        _call("GET", base + "/api/v1/workorders/?page=1", token)[0],
        _call("GET", base + "/api/v1/kb/search?q=%E6%8A%95%E8%AF%89", token)[0],
    ]


def test_a_mix_through_both_nodes_loses_nothing_and_delivers_once(centre):
    orders, calls, reads = 40, 40, 20
    with ThreadPoolExecutor(max_workers=12) as pool:
        intakes = [pool.submit(_intake_and_dispatch, centre, i) for i in range(orders)]
        call_runs = [pool.submit(_a_call, centre, i) for i in range(calls)]
        read_runs = [pool.submit(_reads, centre, i) for i in range(reads)]
        made = [f.result() for f in intakes]
        statuses = Counter(s for f in call_runs for s in f.result())
        statuses.update(s for f in read_runs for s in f.result())
        statuses.update(s for m in made for s in m["statuses"])
    assert set(statuses) <= {200, 201}, (statuses, centre.logs())
    numbers = {m["number"] for m in made}
    assert len(numbers) == orders

    # every write is there, once
    assert centre.count("SELECT count(*) FROM workorders_workorder") == orders
    assert (
        centre.count("SELECT count(*) FROM workorders_workorder WHERE status = 'dispatched'")
        == orders
    )
    assert centre.count("SELECT count(*) FROM calls_call WHERE call_id LIKE 'so-%%' "
                        "AND call_id <> 'so-pop' AND ended_at IS NOT NULL") == calls  # fmt: skip

    # every dispatch e-mailed to the unit's handlers exactly once, by the workers
    def all_sent():
        backlog = _deep(centre)["outbox"]
        return backlog if backlog.get("pending", backlog.get("count")) == 0 else None

    _wait_until(all_sent, 90, "the outbox to drain")
    mailed = Counter(
        number for body in centre.smtp.bodies() for number in numbers if number in body
    )
    assert set(mailed) == numbers, sorted(numbers - set(mailed))
    assert set(mailed.values()) == {1}, [n for n, c in mailed.items() if c > 1]
    print(
        f"scale-out: {orders} orders taken and dispatched across 2 nodes, {calls} calls "
        f"({3 * calls} events), {2 * reads} reads; {len(centre.smtp.messages)} e-mails, "
        f"statuses {dict(statuses)}"
    )

    # both workers and the beat are seen by either node
    deep = _deep(centre, 1)
    assert len({w["name"] for w in deep["workers"]}) >= 2, deep["workers"]
    # the beat's first heartbeat comes one interval (30 s) after it starts
    _wait_until(lambda: _deep(centre, 1)["beat"]["last_run"], 60, "the beat's heartbeat")
