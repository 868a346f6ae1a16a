"""One browser journey per role: sign in, see that role's navigation in Chinese, switch
to English."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (entries the role must see, entries it must not see)
EXPECTED_NAV = {
    "agent1": ({"home", "customers"}, {"org", "admin", "inbox", "board"}),
    "lead1": ({"home", "customers"}, {"inbox", "admin", "org"}),
    "director1": ({"home", "org"}, {"inbox", "admin", "customers"}),
    "branch1": ({"home", "customers"}, {"workorders", "org", "admin", "board"}),
    "admin": ({"home", "org", "admin", "customers"}, {"inbox"}),
}


@pytest.mark.parametrize("username", sorted(EXPECTED_NAV))
def test_role_sees_its_navigation_in_chinese_and_switches_to_english(page, login, username):
    must, must_not = EXPECTED_NAV[username]
    login(username)
    keys = set(page.eval_on_selector_all(".mainnav a", "els => els.map(e => e.dataset.nav)"))
    assert must <= keys, keys
    assert not (must_not & keys), keys
    assert page.locator(".mainnav a[data-nav=home]").inner_text() == "首页"
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.click("[data-testid=user-menu]")
    page.select_option("[data-testid=language]", "en")
    page.wait_for_selector("html[lang=en]")
    assert page.locator(".mainnav a[data-nav=home]").inner_text() == "Home"
    # the choice is the user's: it survives a new page load
    page.goto("/")
    assert page.locator(".mainnav a[data-nav=home]").inner_text() == "Home"
