"""Shared test fixtures: the demo organisation, a user of each role, API clients, and the
browser. The whole suite runs on SQLite and on PostgreSQL (see the Makefile)."""

from __future__ import annotations

import os

import pytest
from django.test import Client

REQUIRE_SERVICES = os.environ.get("POSTDESK_REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.BACKGROUND_MODE = "sync"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "zh-hans"


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
