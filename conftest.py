"""Shared test fixtures: the demo organisation, a user of each role, API clients, and the
browser. The whole suite runs on SQLite (a database file, as `make run` has it) and on
PostgreSQL (see scripts/test.sh).

A test about one database is marked `@pytest.mark.postgresql` or `@pytest.mark.sqlite`
and is deselected on the other; it never skips itself for the vendor. In `make test`
(POSTDESK_REQUIRE_SERVICES=1) every skip is a failure.
"""

from __future__ import annotations

import os
import sys
import uuid

import pytest
from django.test import Client

REQUIRE_SERVICES = os.environ.get("POSTDESK_REQUIRE_SERVICES") == "1"
VENDORS = ("postgresql", "sqlite")


def pytest_configure(config):
    """POSTDESK_TEST_PREPARE=N: this run's connections are the web application's
    (PostgreSQL prepares a statement run N times, `core.db.use_prepared_statements`);
    without it they are what commands and workers use (nothing prepared).

    Under pytest-xdist (`make test` runs `-n 2`) each worker has a test database of its
    own (pytest-django adds `_gw0`, `_gw1`… to its name), a Redis database of its own
    (settings.py: REDIS_URL's number plus the worker's, handed on here to the processes a
    test starts) and files of its own: the workers' databases give the same ids, so
    MEDIA_ROOT (e.g. `tracking_imports/<id>.csv`) and the push sockets of the embedded mode
    are under `var/test-workers/<worker>/`."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from pathlib import Path

        from django.conf import settings

        own = Path(settings.VAR_DIR) / "test-workers" / worker
        settings.MEDIA_ROOT = own / "media"
        settings.POSTDESK_PUSH_DIR = own / "push"
        if settings.REDIS_URL:
            os.environ["REDIS_URL"] = settings.REDIS_URL
        os.environ["POSTDESK_TEST_CHILD"] = "1"  # a started process keeps the URL it is given
    threshold = os.environ.get("POSTDESK_TEST_PREPARE")
    if threshold:
        from postdesk.core.db import use_prepared_statements

        use_prepared_statements(int(threshold))


def pytest_collection_modifyitems(config, items):
    """Tests marked for the other database are deselected (not skipped)."""
    from django.conf import settings

    vendor = "postgresql" if settings.IS_POSTGRES else "sqlite"
    other = [name for name in VENDORS if name != vendor]
    dropped = [item for item in items if any(item.get_closest_marker(m) for m in other)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In `make test` a skipped test is a failed one: nothing there may be left untried
    because of the database, a missing service or the machine."""
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"skipped in a run that allows no skips ({reason}); a test for one database is "
            "marked @pytest.mark.postgresql or @pytest.mark.sqlite instead"
        )


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.BACKGROUND_MODE = "sync"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "zh-hans"
    # each test counts its own rate-limit windows (Redis keeps them across tests)
    settings.POSTDESK_RATELIMIT_PREFIX = f"test-{uuid.uuid4().hex[:12]}:"
    from postdesk.core.ttlcache import clear_all

    clear_all()  # ids are reused after a test's rollback: no cached fact may outlive it


@pytest.fixture
def org(db):
    """The demo organisation (units and staff) — the same code `make run` loads."""
    from django.contrib.auth.hashers import make_password

    from postdesk.org import demo
    from postdesk.org.models import Unit, User

    demo.seed()
    User.objects.update(password=make_password("postdesk"))
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def staff(org):
    from postdesk.org.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def client_for(staff):
    """client_for("agent1") -> a Django test client signed in as that user."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(staff[username])
        return client

    return make


@pytest.fixture
def api_for(staff):
    """api_for("agent1") -> a client that sends `Authorization: Token …` for that user."""

    from postdesk.core.services import api_token_create

    def make(username: str) -> Client:
        token = api_token_create(user=staff[username], name="test")
        return Client(HTTP_AUTHORIZATION=f"Token {token}")

    return make


def need_service(name: str, reason: str) -> None:
    """Skip when a real service is absent, unless the run demands it (then fail)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required for this run but unavailable: {reason}")
    pytest.skip(f"{name} unavailable: {reason}")


# --- browser -------------------------------------------------------------------------------
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    import shutil

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        need_service("chromium", "Debian's chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls a test makes
    # between browser steps are plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(page, staff):
    """login("agent1") signs that demo user in through the real login form."""

    def sign_in(username: str, password: str = "postdesk"):  # noqa: S107 (demo password)
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_selector("header.topbar")
        return page

    return sign_in


# --- outside the machine: a tiny SMTP server, and a real Celery worker ---------------------
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (yet)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeSMTPServer:
    """Just enough SMTP on 127.0.0.1 for Django's smtp backend (a fake of the mail relay).

    The port is reserved at once but nothing listens until `open()`, so a test can first
    see the relay down (connection refused) and then up. `hold_first=True` makes the
    first message's final reply wait until `release()`: a worker stuck in the middle of
    sending; `reply` is what it then gets (e.g. "451 try later"). `hold_at=b"DATA"` holds
    the first DATA command instead (a worker stuck before it handed the message over).
    `delay` seconds pass before every final reply (deliveries take a while).
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[bytes] = []
        self._server = None
        self._gate = None
        self._hold_pending = False
        self.holding = None

    def open(
        self, hold_first: bool = False, hold_at: bytes = b".", delay: float = 0.0
    ) -> FakeSMTPServer:
        import socketserver
        import threading

        owner = self
        self._gate = threading.Event()
        self._hold_pending = hold_first
        self._hold_at = hold_at
        self._delay = delay
        self.holding = threading.Event()  # set once the held message is waiting
        self._reply = b"250 OK queued"

        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: bytes) -> None:
                self.wfile.write(line + b"\r\n")

            def handle(self) -> None:
                self.send(b"220 fake-smtp ESMTP")
                body: list[bytes] | None = None
                while line := self.rfile.readline():
                    if body is not None:
                        if line.rstrip(b"\r\n") == b".":
                            if owner._delay:
                                import time

                                time.sleep(owner._delay)
                            reply = b"250 OK queued"
                            if owner._hold_pending and owner._hold_at == b".":
                                owner._hold_pending = False
                                owner.holding.set()
                                owner._gate.wait(60)
                                reply = owner._reply
                            # a relay takes the message at the dot, before it answers
                            # (the client may be gone by then)
                            if reply.startswith(b"250"):
                                owner.messages.append(b"".join(body))
                            body = None
                            self.send(reply)
                        else:
                            body.append(line[1:] if line.startswith(b"..") else line)
                        continue
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        self.send(b"250-fake-smtp")
                        self.send(b"250 8BITMIME")
                    elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                        self.send(b"250 OK")
                    elif verb == b"DATA":
                        if owner._hold_pending and owner._hold_at == b"DATA":
                            owner._hold_pending = False
                            owner.holding.set()
                            owner._gate.wait(60)
                            if not owner._reply.startswith(b"250"):
                                self.send(owner._reply)
                                continue
                        self.send(b"354 go ahead")
                        body = []
                    elif verb == b"QUIT":
                        self.send(b"221 bye")
                        return
                    else:
                        self.send(b"502 not implemented")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def release(self, reply: bytes = b"250 OK queued") -> None:
        self._reply = reply
        if self._gate is not None:
            self._gate.set()

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def bodies(self) -> list[str]:
        import email

        texts = []
        for raw in self.messages:
            message = email.message_from_bytes(raw)
            part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
            texts.append(
                part.get_payload(decode=True)
                .decode(part.get_content_charset() or "utf-8")
                .rstrip("\r\n")
            )
        return texts


@pytest.fixture
def smtp_server(settings):
    """A fake SMTP relay, closed until `smtp_server.open()`; Django's smtp backend points
    at it."""
    server = FakeSMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 30
    yield server
    server.release()
    server.close()


class CeleryWorkerProcess:
    """`celery -A postdesk worker` in its own process, on the test database (which must be
    PostgreSQL, committed rows: use `django_db(transaction=True)`) and the test's Redis."""

    QUEUES = "default,notifications,imports,reports"

    def __init__(self, env: dict[str, str]) -> None:
        import tempfile
        import uuid

        self.env = env
        self.name = f"postdesk-test-{uuid.uuid4().hex[:8]}@localhost"
        self.log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log")  # noqa: SIM115
        self.process = None

    def start(self, timeout: float = 60) -> CeleryWorkerProcess:
        import subprocess
        import sys
        import time
        from pathlib import Path

        from postdesk.celery import app

        celery = str(Path(sys.executable).parent / "celery")
        self.process = subprocess.Popen(
            [celery, "-A", "postdesk", "worker", "-Q", self.QUEUES, "--pool=solo",
             "--concurrency=1", "-n", self.name, "--without-gossip", "--without-mingle",
             "--loglevel=INFO"],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited:\n{self.output()}")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return self
        raise RuntimeError(f"the Celery worker did not answer:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        with open(self.log.name, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-5000:]

    def kill(self) -> None:
        """The worker dies at once (SIGKILL), whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        import subprocess

        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def celery_worker_factory(django_db_setup, django_db_blocker):
    """make_worker(**extra_env) -> a started CeleryWorkerProcess; all are stopped at the end
    of the module. Skips (need_service) when Redis is absent; needs PostgreSQL."""
    from django.conf import settings

    if not settings.IS_POSTGRES:
        pytest.skip("a worker process shares the test database only on PostgreSQL")
    if not settings.REDIS_URL:
        need_service("Redis", "REDIS_URL is not set")
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:
        need_service("Redis", f"{settings.REDIS_URL}: {exc}")

    from postdesk.celery import app

    app.control.purge()  # nothing left over from an earlier run reaches these workers
    db = settings.DATABASES["default"]
    database_url = "postgres://{user}{password}@{host}:{port}/{name}".format(
        user=db["USER"] or "postgres",
        password=f":{db['PASSWORD']}" if db["PASSWORD"] else "",
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        name=db["NAME"],
    )
    workers: list[CeleryWorkerProcess] = []

    def make(**extra_env: str) -> CeleryWorkerProcess:
        env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_NAME"}
        env.update(
            DATABASE_URL=database_url,
            REDIS_URL=settings.REDIS_URL,
            BACKGROUND_MODE="celery",
            CONN_MAX_AGE="0",
            **extra_env,
        )
        worker = CeleryWorkerProcess(env)
        workers.append(worker)
        return worker.start()

    make.database_url = database_url  # type: ignore[attr-defined]
    yield make
    for worker in workers:
        worker.stop()
    app.control.purge()


@pytest.fixture(autouse=True, scope="session")
def _cti_writer_stops_at_the_end(django_db_setup):
    """A test that posts CTI events outside a transaction starts this process's
    group-commit writer; its thread's connection must close before the test database
    is dropped (this fixture ends before `django_db_setup` does)."""
    yield
    from postdesk.calls.writer import writer_stop

    writer_stop()


# --- outside the machine: an SMS gateway ---------------------------------------------------
class FakeSmsGateway:
    """A real local HTTP server that plays an SMS provider (a fake of what lies outside
    the machine), for the tests and the benchmarks.

    It speaks both adapters of `postdesk.notify.sms.gateways`:
    - Alibaba Cloud's RPC API at `/` (form POST, Action=SendSms | QuerySendDetails, the
      HMAC-SHA1 signature checked against `secret`), answering as the provider does;
    - a generic HTTP gateway at `/send` (JSON or form: phone, text, out_id) answering
      `{"code": "0", "id": …}`, and `/status/<out_id>` (404 when it never had it).

    Knobs: `script` — a list of behaviours for the next sends, each "ok", "throttle"
    (temporary), "reject" (permanent), "slow" (accepts, but answers after `slow_seconds`:
    a client timeout) or "hold" (accepts, then waits until `release()`: a worker killed
    mid-send); `down()`/`up()` refuse connections. `accepted` lists what it took (one
    entry per message it would deliver), `requests` counts calls per Action/path.
    `receipt_body(...)` builds the receipt push a test posts to postdesk.
    """

    def __init__(self, secret: str = "fake-secret", access_key_id: str = "fake-key") -> None:  # noqa: S107
        self.port = free_port()
        self.secret = secret
        self.access_key_id = access_key_id
        self.accepted: list[dict] = []
        self.requests: dict[str, int] = {}
        self.script: list[str] = []
        self.slow_seconds = 3.0
        self._server = None
        self._held = None
        self.holding = None
        self._lock = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def aliyun_config(self, **extra) -> dict:
        return {
            "adapter": "aliyun",
            "endpoint": self.url,
            "access_key_id": self.access_key_id,
            "access_key_secret": self.secret,
            "timeout": 1.0,
            **extra,
        }

    def http_config(self, **extra) -> dict:
        return {
            "adapter": "http",
            "url": f"{self.url}send",
            "method": "POST",
            "body": "json",
            "headers": {"X-Api-Key": "k"},
            "template": {"phone": "{phone}", "text": "{text}", "out_id": "{out_id}"},
            "success": {"status": 200, "field": "code", "equals": "0"},
            "biz_id_field": "id",
            "query_url": f"{self.url}status/{{out_id}}",
            "timeout": 1.0,
            **extra,
        }

    def open(self) -> FakeSmsGateway:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        owner = self
        self._lock = threading.Lock()
        self._held = threading.Event()
        self.holding = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def reply(self, status: int, document) -> None:
                import json

                body = json.dumps(document, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timed out): the message was taken all the same

            def do_GET(self) -> None:
                owner._count(self.path.split("/")[1])
                if self.path.startswith("/status/"):
                    out_id = self.path.rsplit("/", 1)[1]
                    found = [m for m in owner.accepted if m["out_id"] == out_id]
                    if not found:
                        return self.reply(404, {"code": "404"})
                    return self.reply(
                        200, {"code": "0", "status": "sent", "id": found[0]["biz_id"]}
                    )
                self.reply(404, {})

            def do_POST(self) -> None:
                import json
                import urllib.parse

                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if self.path.startswith("/send"):
                    owner._count("send")
                    if "json" in (self.headers.get("Content-Type") or ""):
                        fields = json.loads(raw)
                    else:
                        fields = dict(urllib.parse.parse_qsl(raw))
                    behaviour = owner._next()
                    if behaviour == "throttle":
                        return self.reply(429, {"code": "429"})
                    if behaviour == "reject":
                        return self.reply(200, {"code": "40001", "message": "bad number"})
                    biz = owner._accept(
                        fields.get("phone", ""),
                        fields.get("out_id", ""),
                        fields.get("text", ""),
                        {},
                        "",
                    )
                    owner._wait(behaviour)
                    return self.reply(200, {"code": "0", "id": biz})
                params = dict(urllib.parse.parse_qsl(raw))
                action = params.get("Action", "")
                owner._count(action)
                signature = params.pop("Signature", "")
                from postdesk.notify.sms.gateways import aliyun_signature

                if (
                    params.get("AccessKeyId") != owner.access_key_id
                    or aliyun_signature(params, owner.secret) != signature
                ):
                    return self.reply(400, {"Code": "SignatureDoesNotMatch", "Message": "bad"})
                if action == "SendSms":
                    behaviour = owner._next()
                    if behaviour == "throttle":
                        return self.reply(
                            200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}
                        )
                    if behaviour == "reject":
                        return self.reply(
                            200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
                        )
                    biz = owner._accept(
                        params.get("PhoneNumbers", ""),
                        params.get("OutId", ""),
                        "",
                        json.loads(params.get("TemplateParam") or "{}"),
                        params.get("TemplateCode", ""),
                    )
                    owner._wait(behaviour)
                    return self.reply(
                        200, {"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": biz}
                    )
                if action == "QuerySendDetails":
                    phone = params.get("PhoneNumber", "")
                    rows = [
                        {
                            "PhoneNum": m["phone"],
                            "SendStatus": 1,
                            "ErrCode": "",
                            "OutId": m["out_id"],
                            "BizId": m["biz_id"],
                            "TemplateCode": m["template"],
                        }
                        for m in owner.accepted
                        if m["phone"] == phone
                    ]
                    return self.reply(
                        200,
                        {
                            "Code": "OK",
                            "TotalCount": len(rows),
                            "SmsSendDetailDTOs": {"SmsSendDetailDTO": rows},
                        },
                    )
                self.reply(400, {"Code": "InvalidAction"})

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def _count(self, what: str) -> None:
        with self._lock:
            self.requests[what] = self.requests.get(what, 0) + 1

    def _next(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else "ok"

    def _accept(self, phone: str, out_id: str, text: str, params: dict, template: str) -> str:
        import uuid

        with self._lock:
            biz = f"biz-{uuid.uuid4().hex[:12]}"
            self.accepted.append(
                {
                    "phone": phone,
                    "out_id": out_id,
                    "text": text,
                    "params": params,
                    "template": template,
                    "biz_id": biz,
                }
            )
            return biz

    def _wait(self, behaviour: str) -> None:
        import time

        if behaviour == "slow":
            time.sleep(self.slow_seconds)
        elif behaviour == "hold":
            self.holding.set()
            self._held.wait(60)

    def release(self) -> None:
        if self._held is not None:
            self._held.set()

    def sent_to(self, phone: str) -> list[dict]:
        return [m for m in self.accepted if m["phone"] == phone]

    def receipt_body(
        self,
        *,
        out_id: str = "",
        biz_id: str = "",
        phone: str = "",
        success: bool = True,
        err_code: str = "DELIVERED",
        report_time: str = "2026-11-28 10:00:05",
    ) -> bytes:
        """One delivery receipt as Alibaba Cloud pushes it (a JSON array)."""
        import json

        item = {
            "phone_number": phone,
            "send_time": "2026-11-28 10:00:00",
            "report_time": report_time,
            "success": success,
            "err_code": err_code,
            "err_msg": "用户接收成功" if success else "失败",
            "sms_size": "1",
            "biz_id": biz_id,
            "out_id": out_id,
        }
        return json.dumps([item], ensure_ascii=False).encode()

    def close(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def sms_gateway(settings):
    """A local SMS provider (Alibaba Cloud's API) that postdesk's gateway points at, with
    the pushes' token set to "push-token" and no quiet hours (a test of them sets them)."""
    from datetime import time

    gateway = FakeSmsGateway().open()
    settings.SMS_GATEWAY = gateway.aliyun_config()
    settings.SMS_PUSH_TOKEN = "push-token"
    settings.SMS_QUIET_HOURS = (time(0), time(0))
    yield gateway
    gateway.close()


# --- servers a fault test starts itself on spare ports (never the shared ones) -----------
class RedisServer:
    """`redis-server --port N` of our own: a test may kill it, restart it, or hang it
    (SIGSTOP: the kernel still accepts connections, nothing answers) and resume it."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> RedisServer:
        import shutil
        import subprocess
        import time

        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(binary):
            need_service("redis-server", "Debian's redis-server is not installed")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answers():
                return self
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except Exception:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()
            self.process.kill()
            self.process.wait(10)

    def hang(self) -> None:
        import signal

        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        import signal

        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, on a spare port; stopped at the end."""
    server = RedisServer().start()
    yield server
    server.kill()


@pytest.fixture
def celery_broker():
    """point(url): this process's Celery app publishes to `url` until the test ends.

    The app's configuration is read before anything changes, so what is put back is the
    suite's broker; reading it after a test changed `settings.CELERY_BROKER_URL` would load
    (and keep) the test's own short-lived server for every later test."""
    from postdesk.celery import app

    saved = app.conf.broker_url

    def point(url: str) -> None:
        app.conf.broker_url = url
        app._after_fork()  # forget pooled connections: the next publish connects anew

    yield point
    point(saved)


@pytest.fixture(autouse=True)
def _broker_breaker_closed():
    """The broker's breaker (`core.bounded`) is per process: a test that made the broker
    fail must not leave the next test's publishes skipped."""
    from postdesk.core import bounded

    bounded.broker.reset()
    yield
    bounded.broker.reset()


# --- a centre of its own in subprocesses (backup, scale-out and fault tests) ---------------
POSTDESK_CLI = [sys.executable, "-m", "postdesk.cli"]


def scratch_database(tmp, name: str):
    """A database of the suite's kind for `postdesk` subprocesses: a SQLite file under
    `tmp`, or a fresh PostgreSQL database beside the test database. Returns (url, drop)
    where drop() removes the PostgreSQL one (None for SQLite)."""
    from django.conf import settings

    if not settings.IS_POSTGRES:
        return f"sqlite:///{tmp}/{name}.sqlite3", None
    import psycopg

    db = settings.DATABASES["default"]
    base = db.get("TEST", {}).get("NAME") or "test_" + db["NAME"]
    dbname = f"{base}_{name}"
    admin = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"] or "postgres",
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')

    def drop() -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    secret = f":{admin['password']}" if admin["password"] else ""
    return f"postgres://{admin['user']}{secret}@{admin['host']}:{admin['port']}/{dbname}", drop


def postdesk_env(database_url: str, var_dir, **extra: str) -> dict[str, str]:
    """The environment of a `postdesk` subprocess on its own database and var/."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "POSTDESK_VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir) + "/media",
        "DJANGO_SETTINGS_MODULE": "postdesk.settings",
        "ACCESS_LOG": "",
        "BACKGROUND_MODE": "sync",
        **extra,
    }
    for name in ("TEST_DATABASE_NAME", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR"):
        if name not in extra:
            env.pop(name, None)
    return env


def postdesk_run(env: dict[str, str], *args: str, timeout: float = 300, check: bool = True):
    """Run `postdesk ARGS` in `env`; its output (stdout + stderr) is in `.stdout`."""
    import subprocess

    run = subprocess.run(
        [*POSTDESK_CLI, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    if check and run.returncode != 0:
        raise AssertionError(f"postdesk {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}")
    return run
