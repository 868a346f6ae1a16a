"""Issue 11, the front door: login throttling and lockout (django-axes, core/lockout.py).

5 wrong passwords for one user, or 20 from one address, lock sign-in — the pages' login
and the admin site alike — with 429, Retry-After and a clear Chinese message, until an
administrator unlocks it. Real requests through the whole middleware stack; the lockout
across two `postdesk serve` processes sharing one database is tested at the end.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.test import Client

from conftest import free_port, postdesk_env, scratch_database

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, path: str = "/login/", ip="10.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _signed_in(response) -> bool:
    return response.status_code == 302 and "/login/" not in response["Location"]


def test_five_wrong_passwords_lock_the_user_from_any_address(staff):
    client = Client()
    for _ in range(4):
        assert _login(client, "agent1", "wrong").status_code == 200  # the form again
    fifth = _login(client, "agent1", "wrong")
    assert fifth.status_code == 429
    refused = _login(Client(), "agent1", "postdesk", ip="10.9.9.9")  # right, elsewhere
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 15 * 60
    text = refused.content.decode()
    assert "密码错误次数过多" in text and "15" in text and "管理员" in text
    # another user from the same address is not held up by agent1's lock
    assert _signed_in(_login(Client(), "agent2", "postdesk"))


def test_twenty_wrong_passwords_from_one_address_lock_that_address(staff):
    for n in range(20):
        _login(Client(), f"nobody{n}", "wrong", ip="10.0.0.7")
    assert _login(Client(), "agent2", "postdesk", ip="10.0.0.7").status_code == 429
    assert _signed_in(_login(Client(), "agent2", "postdesk", ip="10.0.0.8"))


def test_a_right_password_does_not_wipe_the_count(staff):
    for _ in range(4):
        _login(Client(), "agent1", "wrong")
    assert _signed_in(_login(Client(), "agent1", "postdesk"))
    assert _login(Client(), "agent1", "wrong").status_code == 429  # the fifth


def test_the_admin_site_is_locked_too_and_an_administrator_unlocks(staff, client_for):
    from axes.models import AccessAttempt

    for _ in range(5):
        _login(Client(), "admin", "wrong", path="/admin/login/")
    assert _login(Client(), "admin", "postdesk", path="/admin/login/").status_code == 429
    assert _login(Client(), "admin", "postdesk").status_code == 429  # the pages' login too
    for _ in range(5):
        _login(Client(), "agent1", "wrong")
    assert _login(Client(), "agent1", "postdesk").status_code == 429

    # another administrator unlocks agent1 in the admin site (axes' access attempts)
    from postdesk.org.models import User

    other = User.objects.create_superuser("admin2", password="postdesk")
    boss = Client()
    boss.force_login(other)
    listing = boss.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "agent1" in listing.content.decode()
    ids = list(AccessAttempt.objects.filter(username="agent1").values_list("id", flat=True))
    done = boss.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert done.status_code == 302
    assert _signed_in(_login(Client(), "agent1", "postdesk"))
    assert _login(Client(), "admin", "postdesk").status_code == 429  # still locked


def test_the_lockout_page_in_english(staff):
    for _ in range(5):
        _login(Client(), "agent1", "wrong")
    client = Client()
    client.cookies["django_language"] = "en"
    text = _login(client, "agent1", "postdesk").content.decode()
    assert "Too many wrong passwords" in text and "15 minutes" in text


# --- two server processes, one database ------------------------------------------------------


def _post_login(base: str, username: str, password: str) -> int:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    opener.open(base + "/login/", timeout=10).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
    ).encode()
    request = urllib.request.Request(
        base + "/login/", data=data, headers={"Referer": base + "/login/"}
    )
    try:
        return opener.open(request, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _serve(env, port):
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "postdesk.cli", "serve", "--host", "127.0.0.1"),
            *("--port", str(port), "--workers", "1", "--threads", "2", "--no-worker"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # however busy the machine; an exited server at once
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            return proc, base
        except Exception:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("postdesk serve did not start: " + proc.stderr.read().decode()[-2000:])


@pytest.mark.services  # two servers and a migrated database: once, in the PostgreSQL run
def test_the_lockout_holds_across_two_server_processes(tmp_path):
    url, drop = scratch_database(tmp_path, "lockout")
    env = postdesk_env(url, tmp_path)
    run = [sys.executable, "-m", "postdesk.cli"]
    subprocess.run([*run, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    seed = "from postdesk.org import demo; demo.seed()"
    subprocess.run([*run, "shell", "-c", seed], env=env, check=True, timeout=120)
    procs = []
    try:
        one, base_one = _serve(env, free_port())
        procs.append(one)
        two, base_two = _serve(env, free_port())
        procs.append(two)
        assert one.pid != two.pid
        for base in (base_one, base_two, base_one, base_two):
            assert _post_login(base, "agent1", "wrong") == 200
        assert _post_login(base_two, "agent1", "wrong") == 429  # the fifth, on the other
        assert _post_login(base_one, "agent1", "postdesk") == 429
        assert _post_login(base_two, "agent2", "postdesk") == 302
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)
        if drop is not None:
            drop()
