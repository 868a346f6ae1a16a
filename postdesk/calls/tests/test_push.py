"""The push path: transports across processes, the hub, scoping of the stream."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from postdesk.calls import push, streams
from postdesk.calls.tests.helpers import post_event


@pytest.fixture
def unix_push(tmp_path, settings):
    settings.REDIS_URL = ""
    settings.POSTDESK_PUSH_DIR = tmp_path / "push"
    push.reset()
    assert push.wait_ready()
    yield tmp_path / "push"
    push.reset()


@pytest.fixture
def any_push(tmp_path, settings):
    """The transport of this run: Redis when REDIS_URL is set, else Unix sockets."""
    settings.POSTDESK_PUSH_DIR = tmp_path / "push"
    push.reset()
    assert push.wait_ready()
    yield
    push.reset()


def _publisher_script(kind: str, target: str) -> str:
    return (
        "import json,sys,time\n"
        f"kind, target = {kind!r}, {target!r}\n"
        "data = {'type': 'call', 'call': 42}\n"
        "payload = json.dumps({'topic': 'agent:7', 'data': data}).encode()\n"
        "if kind == 'unix':\n"
        "    from pathlib import Path\n"
        "    from postdesk.calls.push import UnixTransport\n"
        "    UnixTransport(Path(target)).publish([payload])\n"
        "else:\n"
        "    from postdesk.calls.push import RedisTransport\n"
        "    RedisTransport(target).publish([payload])\n"
    )


def _receive(sink: push.ThreadSink, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = sink.get(timeout=0.2)
        if message is not None:
            return message
    return None


def test_unix_sockets_cross_processes(unix_push):
    sink = push.ThreadSink()
    push.hub().subscribe(["agent:7"], sink)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "postdesk.settings"}
    subprocess.run(
        [sys.executable, "-c", _publisher_script("unix", str(unix_push))],
        check=True,
        env=env,
        timeout=60,
    )
    message = _receive(sink)
    assert message == {"topic": "agent:7", "data": {"type": "call", "call": 42}, "seq": 1}


@pytest.mark.services
def test_redis_pubsub_crosses_processes(tmp_path, settings):
    from conftest import need_service

    url = os.environ.get("REDIS_URL") or ""
    if not url:
        need_service("redis", "REDIS_URL is not set")
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=2).ping()
    except Exception as exc:
        need_service("redis", str(exc))
    settings.REDIS_URL = url
    push.reset()
    try:
        assert push.wait_ready()
        assert isinstance(push.transport(), push.RedisTransport)
        sink = push.ThreadSink()
        push.hub().subscribe(["agent:7"], sink)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "postdesk.settings"}
        subprocess.run(
            [sys.executable, "-c", _publisher_script("redis", url)], check=True, env=env, timeout=60
        )
        assert _receive(sink) == {
            "topic": "agent:7",
            "data": {"type": "call", "call": 42},
            "seq": 1,
        }
    finally:
        push.reset()


def test_a_dead_process_socket_is_forgotten(unix_push):
    import socket

    stale = unix_push / "999999-dead.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(str(stale))
    s.close()  # the file stays, nobody listens
    push.UnixTransport(unix_push).publish([b'{"topic":"x","data":{}}'])
    assert not stale.exists()


def test_coalescing_keeps_one_pending_tick():
    sink = push.ThreadSink()
    for _ in range(50):
        sink.offer({"topic": "wallboard", "data": {"type": "tick", "k": "t"}})
    assert sink.queue.qsize() == 1
    assert sink.get(timeout=0.1) is not None
    sink.offer({"topic": "wallboard", "data": {"type": "tick", "k": "t"}})
    assert sink.queue.qsize() == 1


@pytest.mark.django_db(transaction=True)
def test_an_agent_receives_only_its_own_pops(any_push, cti_token, cti, staff):
    hub = push.hub()
    mine, other, board = push.ThreadSink(), push.ThreadSink(), push.ThreadSink()
    g1 = streams.grant_for(staff["agent1"], wallboard=True)
    g2 = streams.grant_for(staff["agent2"], wallboard=False)
    g3 = streams.grant_for(staff["lead1"], wallboard=True)
    assert g1.topics == (f"agent:{staff['agent1'].pk}",)  # an agent gets no wallboard
    assert "wallboard" in g3.topics
    hub.subscribe(g1.topics, mine)
    hub.subscribe(g2.topics, other)
    hub.subscribe(g3.topics, board)
    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="p1",
        timestamp="2025-03-04T09:00:00+08:00",
        direction="in",
        from_="13812345678",
        to="11185",
    )
    post_event(
        cti,
        cti_token,
        event="answer",
        call_id="p1",
        timestamp="2025-03-04T09:00:05+08:00",
        agent="8001",
    )
    got = _receive(mine)
    assert (
        got is not None
        and got["data"]["type"] == "call"
        and got["data"]["event"] in ("newCall", "answer")
    )
    assert _receive(board) is not None
    time.sleep(0.3)
    assert other.queue.qsize() == 0


@pytest.mark.django_db
def test_pop_of_another_agents_call_is_404(cti, cti_token, client_for, staff):
    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="p2",
        timestamp="2025-03-04T09:00:00+08:00",
        direction="in",
        from_="13812345678",
        to="11185",
    )
    post_event(
        cti,
        cti_token,
        event="answer",
        call_id="p2",
        timestamp="2025-03-04T09:00:05+08:00",
        agent="8001",
    )
    from postdesk.calls.models import Call

    pk = Call.objects.get(call_id="p2").pk
    assert client_for("agent1").get(f"/calls/pop/{pk}/").status_code == 200
    assert client_for("agent2").get(f"/calls/pop/{pk}/").status_code == 404
    assert client_for("lead1").get(f"/calls/pop/{pk}/").status_code == 200
    assert client_for("branch1").get(f"/calls/pop/{pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_thread_stream_starts_with_a_snapshot(any_push, client_for, staff, cti, cti_token):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    post_event(
        cti,
        cti_token,
        event="newCall",
        call_id="p3",
        timestamp=now.isoformat(),
        direction="in",
        from_="13812345678",
        to="11185",
    )
    post_event(
        cti,
        cti_token,
        event="answer",
        call_id="p3",
        timestamp=(now + timedelta(seconds=2)).isoformat(),
        agent="8001",
    )
    response = client_for("agent1").get("/calls/stream/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    chunks = iter(response.streaming_content)
    first = next(chunks).decode()
    assert "event: hello" in first
    data = json.loads(first.split("data: ", 1)[1])
    from postdesk.calls.models import Call

    assert data["call"] == Call.objects.get(call_id="p3").pk and data["state"] == "on_call"
    response.close()
    assert client_for("agent1").get("/calls/stream/").status_code == 200
    anonymous = __import__("django.test", fromlist=["Client"]).Client()
    assert anonymous.get("/calls/stream/").status_code == 401


def test_each_connection_numbers_its_messages_and_a_drop_leaves_a_hole():
    sink = push.ThreadSink(maxsize=2)
    for n in range(3):
        sink.offer({"topic": "agent:1", "data": {"type": "call", "call": n}})
    assert sink.overflowed  # the third did not fit
    assert [sink.get(timeout=0.1)["seq"] for _ in range(2)] == [1, 2]
    sink.offer({"topic": "agent:1", "data": {"type": "call", "call": 9}})
    last = sink.get(timeout=0.1)
    assert last["seq"] == 4  # 3 was dropped: the client sees the hole
    frame = push.frame_for(last).decode()
    assert "id: 4\n" in frame and '"seq":4' in frame


def test_a_resync_for_all_reaches_every_connection_of_the_process():
    hub = push.Hub()
    first, second = push.ThreadSink(), push.ThreadSink()
    hub.subscribe(["agent:1"], first)
    hub.subscribe(["wallboard", "agent:2"], second)
    try:
        hub._deliver(push.RESYNC_ALL)
        for sink in (first, second):
            got = sink.get(timeout=1)
            assert got["data"]["type"] == "resync" and got["seq"] == 1
        assert hub.resyncs == 1
    finally:
        hub.stop()


def test_a_publish_to_a_hung_redis_is_bounded_and_owes_a_resync(own_redis, settings):
    """Redis stopped (SIGSTOP): publishing gives up within the bound, later publishes are
    skipped while the breaker is open, and once Redis answers the lost messages are
    followed by a resync broadcast to every process."""
    import redis

    settings.REDIS_COOLDOWN = 0.5
    transport = push.RedisTransport(own_redis.url)
    listener = redis.Redis(port=own_redis.port).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(transport.channel)
    own_redis.hang()
    try:
        started = time.monotonic()
        transport.publish([push.encode("agent:1", {"type": "call"})])
        first = time.monotonic() - started
        started = time.monotonic()
        transport.publish([push.encode("agent:1", {"type": "call"})])
        skipped = time.monotonic() - started
    finally:
        own_redis.resume()
    assert first < 1.2, first
    assert skipped < 0.05, skipped
    assert transport.lost == 2
    deadline = time.monotonic() + 5
    got = []
    while time.monotonic() < deadline and not any(b'"resync"' in m for m in got):
        message = listener.get_message(timeout=0.2)
        if message:
            got.append(message["data"])
    resyncs = [m for m in got if json.loads(m)["topic"] == push.ALL]
    assert resyncs, got  # sent by the timer: nothing else was published
    listener.close()
    transport.close()


def test_the_listener_notices_a_hung_redis_and_resyncs_after_it(own_redis, settings):
    settings.REDIS_URL = own_redis.url
    push.reset()
    try:
        assert push.wait_ready()
        sink = push.ThreadSink()
        push.hub().subscribe(["agent:5"], sink)
        own_redis.hang()
        # the listener gives the subscription up once a ping goes unanswered for
        # LISTEN_DEAD_AFTER seconds (waited for, not slept: a loaded machine is slower)
        deadline = time.monotonic() + push.LISTEN_DEAD_AFTER + 15
        while push.transport().subscribed.is_set() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not push.transport().subscribed.is_set()
        own_redis.resume()
        got = _receive(sink, timeout=10)
        assert got is not None and got["data"]["type"] == "resync", got
        assert push.hub().resyncs == 1
        # and messages flow again
        publisher = push.RedisTransport(own_redis.url)
        publisher.publish([push.encode("agent:5", {"type": "call"})])
        publisher.close()
        got = _receive(sink, timeout=5)
        assert got is not None and got["data"]["type"] == "call" and got["seq"] == 2
    finally:
        push.reset()


class HungRedis:
    """A Redis that accepts connections, reads what it is sent and never answers (a
    stopped server): a fake of what lies outside the machine."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.got_command = threading.Event()
        self.conns: list = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import threading

        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn) -> None:
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            self.received += data
            self.got_command.set()  # the client's handshake or its PUBLISH: never answered

    def close(self) -> None:
        self.sock.close()
        for conn in self.conns:
            conn.close()


@pytest.mark.django_db(transaction=True)
def test_a_hung_redis_never_holds_the_cti_writer(settings, org):
    """Issue 12: screen pops leave the writer's commit path. With Redis hung, every
    event is committed and answered while the publisher is stuck sending the first pop."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from postdesk.calls.events import CtiEvent
    from postdesk.calls.models import Call
    from postdesk.calls.writer import IngestWriter

    hung = HungRedis()
    settings.REDIS_URL = f"redis://127.0.0.1:{hung.port}/0"
    push.reset()
    writer = IngestWriter(threads=1)
    at = datetime(2025, 3, 4, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    def ringing(i: int) -> CtiEvent:
        return CtiEvent(event="newCall", call_id=f"hr-{i}", timestamp=at, direction="in",
                        from_number="13800000001", to_number="11185", agent="8001")  # fmt: skip

    try:
        assert writer.submit(ringing(0)).created
        assert hung.got_command.wait(10)  # the publisher is now waiting for an answer
        for i in range(1, 6):
            assert writer.submit(ringing(i), timeout=30).created
        assert Call.objects.filter(call_id__startswith="hr-").count() == 6
        # all six were answered while the first pop was still unanswered by Redis
        assert not push.publisher().flush(timeout=0)
    finally:
        writer.stop()
        hung.close()
        push.publisher().flush(timeout=10)
        settings.REDIS_URL = ""
        push.reset()


@pytest.mark.parametrize(
    "form",
    ["to_extension", "agent", "queue_rings_agent", "zammad_user"],
)
@pytest.mark.django_db
def test_ringing_pops_for_the_phone_that_rings(form, cti, cti_token, client_for, staff):
    """Issue 20 (1): a ringing call pops at the extension that rings, whichever way the
    PBX names it, and the pop's fetch finds the call (it answered 404 for `to`)."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()

    def at(seconds: int) -> str:
        return (now + timedelta(seconds=seconds)).isoformat()

    base = dict(event="newCall", call_id=f"r-{form}", timestamp=at(-30),
                direction="in", from_="13812345678", to="11185")  # fmt: skip
    if form == "to_extension":
        posted = [post_event(cti, cti_token, **{**base, "to": "8001"})]
    elif form == "agent":
        posted = [post_event(cti, cti_token, **base, agent="8001")]
    elif form == "queue_rings_agent":
        posted = [
            post_event(cti, cti_token, **base, queue="11185"),
            post_event(
                cti,
                cti_token,
                **{**base, "timestamp": at(-25)},
                queue="11185",
                agent="8002",
            ),
            post_event(
                cti,
                cti_token,
                **{**base, "timestamp": at(-5)},
                queue="11185",
                agent="8001",
            ),
        ]
    else:
        posted = [
            cti.post(
                f"/api/v1/cti/{cti_token}",
                data={
                    "event": "newCall",
                    "from": "13812345678",
                    "to": "11185",
                    "direction": "in",
                    "callId": f"r-{form}",
                    "user[]": ["王晓燕"],
                },
            )
        ]
    assert all(r.status_code == 200 for r in posted), [r.content for r in posted]
    from postdesk.calls.models import Call
    from postdesk.calls.selectors import agent_active_call

    call = Call.objects.get(call_id=f"r-{form}")
    assert call.ringing_extension == "8001" and call.agent_id is None
    assert agent_active_call(user=staff["agent1"]) == call
    assert client_for("agent1").get(f"/calls/pop/{call.pk}/").status_code == 200
    assert client_for("agent2").get(f"/calls/pop/{call.pk}/").status_code == 404


def test_a_closed_transport_arms_no_more_retries(own_redis, settings):
    """A replaced transport (push.reset) whose Redis went away stops retrying: no timer
    left behind to publish, and log, forever."""
    settings.REDIS_COOLDOWN = 0.2
    transport = push.RedisTransport(own_redis.url)
    own_redis.hang()
    try:
        transport.publish([push.encode("agent:1", {"type": "call"})])
        assert transport._retry_timer is not None  # a resync is owed, and timed
        transport.close()
        assert transport._retry_timer is None
        transport.publish([push.encode("agent:1", {"type": "call"})])
        assert transport._retry_timer is None and transport.lost == 2
    finally:
        own_redis.resume()
