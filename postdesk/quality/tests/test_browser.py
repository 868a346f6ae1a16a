"""The evaluation screen in a real browser: the suggestion is pre-filled, a missing comment
shows beside the question, the saved evaluation shows its score."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_evaluation_screen(page, login, staff, make_call):
    from postdesk.quality import demo

    demo.seed()
    call = make_call("agent1", wrapup_note="我也没办法，你自己去查")
    login("lead1")
    page.goto(f"/quality/evaluate/?call={call.pk}")
    assert "我也没办法" in page.inner_text("[data-testid=hits]")
    assert page.is_checked("input[name=a_no_forbidden_phrases][value=no]")
    for key in ("greeting", "verify_caller", "type_subtype", "no_internal_info"):
        page.check(f"input[name=a_{key}][value=yes]")
    page.select_option("select[name=a_correct_answer]", "4")
    page.select_option("select[name=a_complete_intake]", "na")
    page.select_option("select[name=a_service_phrases]", "5")
    page.click("[data-testid=submit]")
    assert "扣分须填写理由" in page.inner_text("[data-testid=error-no_forbidden_phrases]")
    page.fill("input[name=c_no_forbidden_phrases]", "推诿：你自己去查")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=score]")
    # 14 of the 16 weights answered (intake N/A, forbidden phrases failed): 87.50
    assert page.inner_text("[data-testid=score]") == "87.50"
    assert "待确认" in page.inner_text("[data-testid=status]")
