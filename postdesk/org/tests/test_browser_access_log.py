"""The access log in a real browser, in Chinese: an agent reveals a customer in full; the
auditor finds that view from the navigation by filtering, downloads the filtered log as
CSV, and finds the download itself in the log. An agent has no such entry and is refused."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.utils import timezone

from postdesk.core.models import AccessLogEntry
from postdesk.customers.tests.conftest import people  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_auditor_finds_a_full_view_and_exports_it(page, login, people):  # noqa: F811
    login("agent1")
    assert page.locator("nav.mainnav a[data-nav=access_log]").count() == 0
    page.goto(f"/customers/{people['lc'].pk}/")
    page.click("[data-testid=reveal]")
    page.wait_for_selector("text=13812345678")
    view = AccessLogEntry.objects.get()
    assert page.goto("/org/access-log/").status == 403

    page.context.clear_cookies()
    login("auditor1")
    page.click("nav.mainnav a[data-nav=access_log]")
    page.wait_for_selector("[data-testid=access-log-filters]")
    assert page.locator("h1").inner_text() == "访问日志"
    page.fill("[data-testid=filter-user]", "agent1")
    page.select_option("[data-testid=filter-subject-type]", "customer")
    today = timezone.localdate().isoformat()
    page.fill("[data-testid=filter-from]", today)
    page.fill("[data-testid=filter-to]", today)
    page.click("[data-testid=access-log-search]")
    page.wait_for_url("**/org/access-log/?*user=agent1*")
    assert page.locator("[data-testid=access-log-count]").inner_text() == "共 1 条记录"
    row = page.locator("[data-testid=access-log-row]").inner_text()
    local_time = timezone.localtime(view.at).strftime("%Y-%m-%d %H:%M:%S")
    for word in (local_time, "agent1", "客户", str(people["lc"].pk), "张*", "完整查看"):
        assert word in row, word
    body = page.locator("main").inner_text()
    assert "张三" not in body and "13812345678" not in body
    for english in ("Access log", "customer", "full view", "Filter", "Export"):
        assert english not in body, english

    with page.expect_download() as download:
        page.click("[data-testid=access-log-export-csv]")
    path = Path(download.value.path())
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["时间", "用户", "记录类型"]
    assert rows[1:] == [
        [local_time, "agent1", "客户", str(people["lc"].pk), "张*", "完整查看", "", "127.0.0.1"]
    ]

    page.goto("/org/access-log/?subject_type=access_log")
    row = page.locator("[data-testid=access-log-row]").inner_text()
    assert "auditor1" in row and "导出" in row and "用户=agent1" in row and "行数=1" in row
    assert AccessLogEntry.objects.filter(subject_type="access_log", what="export").count() == 1
