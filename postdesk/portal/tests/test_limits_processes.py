"""The portal's follow limits across two `postdesk serve` processes sharing one database:
5 wrong tries for one reference and 20 from one address in 15 minutes answer 429 with
Retry-After on either process — counted in the database (the embedded mode) and in a
Redis server of this test's own (production)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import RedisServer, free_port, postdesk_env, scratch_database

pytestmark = [pytest.mark.django_db, pytest.mark.services]  # the PostgreSQL run, once

CLI = [sys.executable, "-m", "postdesk.cli"]
SEED = """
from postdesk.org import demo
from postdesk.org.models import User
from postdesk.workorders.public_ref import format_public_ref
from postdesk.workorders.services import work_order_create
demo.seed()
agent = User.objects.get(username="agent1")
refs = [
    format_public_ref(
        work_order_create(actor=agent, type="complaint", subtype="delay", title="包裹延误",
                          caller_phone="13812345678").public_ref
    )
    for _ in range(2)
]
print("REFS " + " ".join(refs))
"""


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--threads", "2", "--no-worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            return proc, base
        except Exception:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("postdesk serve did not start: " + proc.stderr.read().decode()[-2000:])


def _follow(base: str, reference: str, last4: str, address: str) -> tuple[int, dict, str]:
    """GET the follow API as a client at `address` (our loopback proxy's X-Forwarded-For)."""
    request = urllib.request.Request(
        f"{base}/api/v1/public/requests/{reference}?phone_last4={last4}",
        headers={"X-Forwarded-For": address},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), ""
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}"), exc.headers.get("Retry-After", "")


def _inside_one_window(window: int = 15 * 60, margin: float = 60) -> None:
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.1)


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    from django.conf import settings

    assert settings.IS_POSTGRES
    tmp = tmp_path_factory.mktemp("portal-limits")
    url, drop = scratch_database(tmp, "portal_limits")
    env = postdesk_env(url, tmp)
    subprocess.run([*CLI, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    seeded = subprocess.run(
        [*CLI, "shell", "-c", SEED],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    refs = next(line for line in seeded.stdout.splitlines() if line.startswith("REFS ")).split()[1:]
    yield env, refs
    if drop is not None:
        drop()


@pytest.mark.parametrize("store", ["database", "redis"])
def test_follow_limits_hold_across_two_server_processes(centre, store):
    env, refs = centre
    ref = refs[0] if store == "database" else refs[1]
    address = "10.20.0.1" if store == "database" else "10.30.0.1"
    redis = RedisServer().start() if store == "redis" else None
    if redis is not None:
        env = {**env, "REDIS_URL": redis.url}
    procs = []
    try:
        one, base_one = _serve(env)
        procs.append(one)
        two, base_two = _serve(env)
        procs.append(two)
        assert one.pid != two.pid
        _inside_one_window()
        assert _follow(base_one, ref, "5678", address)[0] == 200
        # 5 wrong tries for the reference, alternating between the processes
        for n in range(5):
            base = base_one if n % 2 == 0 else base_two
            assert _follow(base, ref, "0000", address)[0] == 404
        for base, other in ((base_two, "10.20.9.9"), (base_one, "10.30.9.9")):
            status, body, retry = _follow(base, ref, "5678", other)  # right digits, elsewhere
            assert status == 429 and int(retry) > 0, (status, body)
            assert body["code"] == "rate_limited"
        # 20 wrong tries from one address (the 5 above and 15 for unknown references)
        for n in range(15):
            base = base_two if n % 2 == 0 else base_one
            assert (
                _follow(base, f"ZZZZ-{'XYWV'[n % 4]}{'QRST'[n // 4]}ZZ", "0000", address)[0] == 404
            )
        for base in (base_one, base_two):
            status, _body, retry = _follow(base, refs[1 - refs.index(ref)], "5678", address)
            assert status == 429 and int(retry) > 0
        fresh = "10.20.7.7" if store == "database" else "10.30.7.7"
        assert _follow(base_two, refs[1 - refs.index(ref)], "5678", fresh)[0] == 200
        if redis is not None:  # the counts are in Redis, not in the database
            keys = subprocess.run(
                ["redis-cli", "-p", str(redis.port), "--scan", "--pattern", "postdesk:rl:*"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert "portal-follow-ref" in keys.stdout, keys
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)
        if redis is not None:
            redis.kill()
