"""The Content-Security-Policy in a real browser: the workbench (its push stream live),
the wallboard, the floor, the staffing chart, the month-end report and its league
tables all run under it without one violation, and the policy really refuses inline
code (a script a page would add is not run and is reported)."""

from __future__ import annotations

import pytest

from postdesk.workforce.tests.conftest import floor  # noqa: F401 (a fixture: the seat map)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: collects every violation the page reports, from before any of its own scripts runs
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                    (e.sourceFile || "") + ":" + e.lineNumber);
});
"""

#: (user, path, a selector that shows the page's own scripts ran)
PAGES = [
    ("agent1", "/", "header.topbar"),
    ("agent1", "/calls/", "[data-push-state=live]"),
    ("agent1", "/workorders/new/", "form"),
    ("lead1", "/calls/wallboard/", "main"),
    ("lead1", "/workforce/floor/", "main"),
    ("lead1", "/workforce/staffing/", "main"),
    ("director1", "/reports/", "#trend canvas"),  # the trend chart drawn by reports/trend.js
    ("director1", "/reports/league/", "main"),
]


@pytest.fixture(autouse=True)
def _streams_end_with_the_test(settings, page):
    """Stream threads notice a closed page at their next keepalive: keep it short and
    leave the page, so no stream outlives the test's database."""
    settings.POSTDESK_PUSH_KEEPALIVE_SECONDS = 0.5
    yield
    page.goto("about:blank")
    page.wait_for_timeout(1500)


def _watch(page) -> list[str]:
    errors: list[str] = []
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    return errors


def test_the_pages_run_under_the_policy_without_a_violation(page, login, floor):  # noqa: F811
    console = _watch(page)
    signed_in = None
    for username, path, ready in PAGES:
        if username != signed_in:
            page.context.clear_cookies()
            login(username)
            signed_in = username
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(ready, state="attached")
        page.wait_for_timeout(300)  # the page's own fetches and htmx loads
        assert page.evaluate("window.__csp") == [], path
    assert console == []


def test_the_language_switch_and_the_back_link_work_without_inline_code(page, login):
    console = _watch(page)
    login("agent1")
    page.goto("/workorders/")
    page.goto("/workorders/NO-SUCH-ORDER/")  # the error page with its back link
    page.click("[data-back]")
    page.wait_for_url("**/workorders/")
    page.click("[data-testid=user-menu]")
    page.select_option("[data-testid=language]", "en")  # data-autosubmit sends the form
    page.wait_for_selector("html[lang=en]")
    assert page.evaluate("window.__csp") == [] and console == []


def test_the_policy_refuses_inline_code(page, login):
    """The check above could not fail if nothing were enforced: here a page adds an
    inline script and a handler attribute, and neither runs, and both are reported."""
    console = _watch(page)
    login("agent1")
    ran = page.evaluate(
        """() => {
          window.__ran = [];
          const s = document.createElement("script");
          s.textContent = "window.__ran.push('script')";
          document.body.appendChild(s);
          const img = document.createElement("img");
          img.setAttribute("onerror", "window.__ran.push('handler')");
          img.src = "data:,x";
          document.body.appendChild(img);
          return new Promise((done) => setTimeout(() => done(window.__ran), 500));
        }"""
    )
    assert ran == []
    violations = page.evaluate("window.__csp")
    assert len(violations) >= 2 and all(v.startswith("script-src") for v in violations)
    assert len(console) >= 2
