"""The director's archive in a real browser: from the month-end report to the archive,
"generate now", the new version listed, its PDF downloaded."""

from __future__ import annotations

import pytest

from postdesk.core.periods import Month
from postdesk.reports.models import MonthSummary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST = Month.current().previous()


def test_the_director_generates_and_downloads_a_summary(page, login, staff):
    login("director1")
    page.goto("/reports/")
    page.click("[data-testid=archive]")
    page.wait_for_selector("text=尚无存档的汇总")
    assert page.input_value("[data-testid=generate-month]") == str(LAST)
    page.click("[data-testid=generate-now]")  # the job runs once the request commits
    page.wait_for_selector(".messages >> text=正在生成")
    page.reload()
    row = page.locator(f"[data-testid=archive] tr[data-month='{LAST}'][data-version='1']")
    assert "第 1 版" in row.inner_text() and "陈主任" in row.inner_text()
    with page.expect_download() as info:
        row.locator("[data-testid=pdf]").click()
    download = info.value
    assert download.suggested_filename == f"postdesk-{LAST}-v1.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == bytes(MonthSummary.objects.get().pdf)
