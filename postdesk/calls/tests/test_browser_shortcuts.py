"""The `?` overlay of keyboard shortcuts on the workbench and the order page (issue 20)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_question_mark_opens_the_shortcut_list_and_escape_closes_it(page, login):
    login("agent1")
    page.goto("/calls/")
    dialog = page.locator("[data-testid=shortcuts]")
    assert not dialog.is_visible()
    page.locator("body").press("?")
    assert dialog.is_visible()
    assert page.get_by_role("dialog", name="键盘快捷键").is_visible()
    text = dialog.inner_text()
    for shown in ("g", "工作台", "新建工单", "Ctrl", "Esc"):
        assert shown in text, shown
    # the focus is inside the dialog and stays there on Tab
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # the button opens it too, and the focus comes back to the button on close
    page.click("[data-testid=shortcuts-open]")
    assert dialog.is_visible()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.dataset.testid") == "shortcuts-open"
    # a listed shortcut works: "n" opens a new work order, "g w" comes back
    page.locator("body").press("n")
    page.wait_for_url("**/workorders/new/")
