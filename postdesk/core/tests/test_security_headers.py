"""The front door's headers: a Content-Security-Policy that runs scripts only from our
static files (and no page that needs more), HSTS and the proxy's scheme with
SECURE_COOKIES=1, and `testserver` never a host of a running centre."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client

from postdesk.core.csp import HEADER, POLICY
from postdesk.core.tests.test_pages_in_chinese import (
    NOT_PAGES,
    ROLES,
    explicit_queries,
    explicit_samples,
    routes,
    urls_for,
)

#: Django's admin (its own templates) and the API's docs page (django-ninja's)
OTHER_PAGES = ("/admin/", "/admin/org/user/", "/admin/org/user/add/", "/api/v1/docs")


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_every_answer_carries_the_policy(client, client_for, org):
    for response in (
        client.get("/login/"),
        client_for("agent1").get("/"),
        client_for("agent1").get("/api/v1/customers/"),
        client.get("/no/such/page/"),
    ):
        policy = directives(response[HEADER])
        assert policy["script-src"] == ["'self'"], policy
        assert policy["default-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["connect-src"] == ["'self'"]  # the push streams are our own origin
        assert policy["form-action"] == ["'self'"]
        assert not any("unsafe" in v for v in policy["script-src"] + policy["default-src"])
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
    assert set(POLICY) == set(directives(response[HEADER]))


@pytest.mark.django_db
def test_hsts_and_the_proxys_scheme_once_secure(client, org, settings):
    # what settings.py sets with SECURE_COOKIES=1 (the subprocess test below shows it does)
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_COOKIES = True
    behind_tls = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert behind_tls["Strict-Transport-Security"] == "max-age=31536000"
    # plain HTTP (nothing from the proxy) is not told to remember HTTPS
    assert "Strict-Transport-Security" not in client.get("/login/")


def _settings_in_a_fresh_process(**env: str) -> dict:
    """The settings a real process gets from its environment (not the test's)."""
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'postdesk.settings';"
        "from django.conf import settings as s;"
        "print(json.dumps({'hosts': s.ALLOWED_HOSTS,"
        " 'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0),"
        " 'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None),"
        " 'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"ALLOWED_HOSTS", "SECURE_COOKIES"}}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_secure_cookies_turn_on_hsts_and_the_forwarded_proto():
    secure = _settings_in_a_fresh_process(SECURE_COOKIES="1")
    assert secure["hsts"] == 365 * 24 * 3600
    assert secure["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert secure["session_secure"] and secure["csrf_secure"]
    plain = _settings_in_a_fresh_process()
    assert plain["hsts"] == 0 and plain["proxy"] is None
    assert not plain["session_secure"]
    # a running centre never answers for Django's test host
    for found in (secure, plain):
        assert "testserver" not in found["hosts"]
        assert {"127.0.0.1", "localhost"} <= set(found["hosts"])


class _Scripts(HTMLParser):
    """What a strict policy would refuse: inline scripts, event-handler attributes,
    `javascript:` URLs and htmx's `hx-on` (evaluated code)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = dict(attrs)
        if tag == "script" and not shown.get("src"):
            kind = (shown.get("type") or "").lower()
            if kind != "application/json":  # json_script data: never run
                self.found.append(f"inline <script {shown}>")
        for name, value in attrs:
            if name.startswith("on") or name.startswith(("hx-on", "x-on", "@")):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(html: str) -> list[str]:
    parser = _Scripts()
    parser.feed(html)
    return parser.found


def test_the_finder_finds_what_the_policy_refuses():
    assert inline_code("<script>alert(1)</script>") == ["inline <script {}>"]
    assert inline_code('<select onchange="this.form.submit()">') == [
        "<select onchange='this.form.submit()'>"
    ]
    assert inline_code('<a href=" JavaScript:history.back()">') != []
    assert inline_code('<div hx-on:click="x()">') != []
    assert inline_code('<script src="/static/a.js" defer></script>') == []
    assert inline_code('<script id="d" type="application/json">{"a": 1}</script>') == []
    assert inline_code('<select data-autosubmit name="language">') == []


@pytest.fixture
def demo_centre(settings, db):
    settings.LANGUAGE_CODE = "zh-hans"
    call_command("seed_demo", "--no-history", verbosity=0)


def test_no_page_has_inline_script_for_any_role(demo_centre, staff):
    from postdesk.org.models import User

    samples = explicit_samples()
    queries = explicit_queries()
    clients = {"anonymous": Client()}
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client
    found: list[str] = []
    checked = 0
    urls = [
        u
        for route, app in routes()
        if route not in NOT_PAGES
        for u in urls_for(route, app, samples, queries)
    ]
    for url in [*urls, *OTHER_PAGES]:
        for username, client in clients.items():
            response = client.get(url)
            if response.status_code != 200 or getattr(response, "streaming", False):
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            checked += 1
            assert HEADER in response, url
            found += [f"{url} as {username}: {f}" for f in inline_code(response.content.decode())]
    assert not found, "\n".join(sorted(set(found)))
    assert checked > 100
