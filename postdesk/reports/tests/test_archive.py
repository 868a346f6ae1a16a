"""The archive of month-end summaries: versions and immutability, the e-mail with both
files through the outbox (and through the e-mail channel), the monthly schedule's entry,
the API's shapes and refusals, and the archive page."""

from __future__ import annotations

import base64
import copy
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from openpyxl import load_workbook
from pypdf import PdfReader

from postdesk.core.errors import PermissionDenied, ValidationFailed
from postdesk.core.periods import Month
from postdesk.notify.models import Notification, OutboxMessage
from postdesk.reports.models import MonthSummary
from postdesk.reports.selectors import month_report
from postdesk.reports.services import month_summary_generate
from postdesk.workorders.tests.conftest import make_order  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

MONTH = Month.current()
LAST = MONTH.previous()
MANAGEMENT = [
    "director1@demo.postdesk.local",
    "lead1@demo.postdesk.local",
    "lead2@demo.postdesk.local",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(content: bytes) -> dict[str, list[list[object]]]:
    """An XLSX read back (openpyxl): sheet name → the rows of its table (below the title,
    as-of and header rows), numbers as numbers and text as text."""
    book = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(min_row=5, values_only=True)]
        for sheet in book.worksheets
    }


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# ---------------------------------------------------------------------------- the service


def test_versions_are_kept_and_never_change(staff, make_order):  # noqa: F811
    make_order()  # one complaint this month
    first = month_summary_generate(month=MONTH)
    assert first is not None
    assert (first.month, first.version, first.created_by) == (str(MONTH), 1, None)
    make_order()  # the month goes on: a second complaint
    second = month_summary_generate(month=MONTH, by=staff["director1"])
    assert second is not None
    assert (second.version, second.created_by) == (2, staff["director1"])
    assert second.as_of > first.as_of
    other = month_summary_generate(month=LAST)
    assert other is not None and other.version == 1  # versions count per month

    old = MonthSummary.objects.get(month=str(MONTH), version=1)
    assert old.report["complaints"]["complaints"] == 1  # as it was, not as it is
    assert MonthSummary.objects.get(pk=second.pk).report["complaints"]["complaints"] == 2
    assert bytes(old.pdf) == bytes(first.pdf) and bytes(old.xlsx) == bytes(first.xlsx)
    assert bytes(old.pdf) != bytes(second.pdf)

    old.version = 9
    with pytest.raises(TypeError, match="immutable"):
        old.save()  # a stored snapshot is never written again
    assert MonthSummary.objects.filter(month=str(MONTH)).count() == 2


def test_the_snapshot_is_the_whole_centres_report_with_its_files(staff, make_order):  # noqa: F811
    make_order()
    make_order(type="consultation")
    summary = month_summary_generate(month=MONTH)
    assert summary is not None
    stored = MonthSummary.objects.get(pk=summary.pk)
    assert stored.report["as_of"] == summary.as_of.isoformat()
    # the centre's report: what a director of the city centre sees, calls included
    seen = month_report(user=staff["director1"], month=MONTH, as_of=summary.as_of)
    assert stored.report["targets"] == seen["targets"]
    assert stored.report["work_orders"] == seen["work_orders"]
    assert stored.report["calls"] is not None

    text = _pdf_text(bytes(stored.pdf))
    assert f"{MONTH.year}年{MONTH.month}月" in text and "质量目标" in text  # Chinese
    book = _workbook(bytes(stored.xlsx))
    assert list(book)[:2] == ["质量目标", "本月工单"]
    rows = {row[0]: row[1:] for row in book["本月工单"]}
    assert rows["投诉"][0] == 1 and rows["咨询"][0] == 1  # real numbers, not text


def test_the_mail_to_the_management_carries_both_files(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        summary = month_summary_generate(month=LAST)
    assert summary is not None
    message = OutboxMessage.objects.get(channel="email")
    assert message.key == f"email:reports:month-summary:{LAST}:v1"
    payload = message.payload
    # the directors and team leads who see the whole centre: not the county's lead, not
    # the administrator
    assert payload["to"] == MANAGEMENT
    assert f"{LAST.year}年{LAST.month}月" in payload["subject"]
    attached = {a["filename"]: a for a in payload["attachments"]}
    assert set(attached) == {f"postdesk-{LAST}-v1.pdf", f"postdesk-{LAST}-v1.xlsx"}
    pdf = attached[f"postdesk-{LAST}-v1.pdf"]
    xlsx = attached[f"postdesk-{LAST}-v1.xlsx"]
    assert (pdf["mimetype"], xlsx["mimetype"]) == ("application/pdf", XLSX)
    assert base64.b64decode(pdf["content"]) == bytes(summary.pdf)
    assert base64.b64decode(xlsx["content"]) == bytes(summary.xlsx)
    assert "/reports/archive/" in payload["body"]

    # delivered (after commit) through the e-mail channel, the files attached
    assert message.__class__.objects.get(pk=message.pk).status == "sent"
    [sent] = mail.outbox
    assert sorted(sent.to) == MANAGEMENT
    assert [(name, mimetype) for name, _content, mimetype in sent.attachments] == [
        (f"postdesk-{LAST}-v1.pdf", "application/pdf"),
        (f"postdesk-{LAST}-v1.xlsx", XLSX),
    ]
    assert sent.attachments[0][1] == bytes(summary.pdf)
    assert sent.attachments[1][1] == bytes(summary.xlsx)
    bells = Notification.objects.filter(key=f"inapp:reports:month-summary:{LAST}:v1")
    assert sorted(bells.values_list("user__username", flat=True)) == ["director1", "lead1", "lead2"]

    # a second version is a second mail; the first is not sent again
    with django_capture_on_commit_callbacks(execute=True):
        month_summary_generate(month=LAST)
    assert len(mail.outbox) == 2 and OutboxMessage.objects.filter(channel="email").count() == 2


def test_the_schedules_run_makes_the_first_version_only(staff):
    from postdesk.reports.tasks import month_summary_monthly

    assert month_summary_monthly.run() == 1
    assert month_summary_monthly.run() is None  # run twice (or late): no harm
    assert list(MonthSummary.objects.values_list("month", "version")) == [(str(LAST), 1)]
    assert month_summary_generate(month=LAST, first_only=True) is None
    assert MonthSummary.objects.get().created_by is None  # the schedule's


def test_who_may_generate_and_which_months(staff):
    for name in ("lead1", "agent1", "branch1"):
        with pytest.raises(PermissionDenied):
            month_summary_generate(month=LAST, by=staff[name])
    with pytest.raises(ValidationFailed) as future:
        month_summary_generate(month=MONTH.shift(1), by=staff["director1"])
    assert "month" in future.value.fields
    assert not MonthSummary.objects.exists() and not OutboxMessage.objects.exists()
    assert month_summary_generate(month=LAST, by=staff["admin"]) is not None


def test_the_beat_entry_fires_on_the_first_at_eight_local_time():
    from postdesk.celery import app
    from postdesk.core.embedded import _load_task
    from postdesk.schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["reports-month-summary"]
    assert entry["options"] == {"queue": "reports"}
    assert _load_task(str(entry["task"])).name == entry["task"]  # as the embedded one loads it
    assert str(app.timezone) == "Asia/Shanghai"
    shanghai = ZoneInfo("Asia/Shanghai")
    schedule = copy.deepcopy(entry["schedule"])
    last_run = datetime(2026, 10, 1, 8, 0, tzinfo=shanghai)

    def due_at(*moment: int) -> bool:
        schedule.nowfun = lambda: datetime(*moment, tzinfo=shanghai)
        return bool(schedule.is_due(last_run).is_due)

    assert not due_at(2026, 10, 31, 23, 59)
    assert not due_at(2026, 11, 1, 7, 59)  # 23:59 UTC on the 31st is not yet the 1st here
    assert due_at(2026, 11, 1, 8, 0, 30)
    assert not due_at(2026, 10, 2, 8, 0)


# ---------------------------------------------------------------------------- the API


def test_the_archive_api(api_for, staff, django_capture_on_commit_callbacks):
    director = api_for("director1")
    assert director.get("/api/v1/reports/archive").json() == []
    with django_capture_on_commit_callbacks(execute=True):
        response = director.post(
            "/api/v1/reports/archive", {"month": str(LAST)}, content_type="application/json"
        )
    assert response.status_code == 202
    assert response.json() == {"month": str(LAST), "status": "queued"}
    month_summary_generate(month=LAST)  # the schedule's, say: version 2

    [second, first] = api_for("lead1").get("/api/v1/reports/archive").json()
    assert set(first) == {"month", "version", "as_of", "created_at", "created_by", "links"}
    assert (first["month"], first["version"], first["created_by"]) == (str(LAST), 1, "director1")
    assert (second["version"], second["created_by"]) == (2, None)
    assert first["links"] == {
        "pdf": f"/api/v1/reports/archive/{LAST}/1.pdf",
        "xlsx": f"/api/v1/reports/archive/{LAST}/1.xlsx",
    }
    assert datetime.fromisoformat(first["as_of"]) <= datetime.fromisoformat(first["created_at"])
    stored = MonthSummary.objects.get(month=str(LAST), version=1)
    pdf = director.get(first["links"]["pdf"])
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf["Content-Disposition"] == f'attachment; filename="postdesk-{LAST}-v1.pdf"'
    assert pdf.content == bytes(stored.pdf)
    xlsx = director.get(first["links"]["xlsx"])
    assert (xlsx.status_code, xlsx["Content-Type"]) == (200, XLSX)
    assert xlsx.content == bytes(stored.xlsx)
    assert len(director.get(f"/api/v1/reports/archive?month={LAST}").json()) == 2
    assert director.get(f"/api/v1/reports/archive?month={MONTH}").json() == []

    missing = director.get(f"/api/v1/reports/archive/{LAST}/3.pdf")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    bad = director.get("/api/v1/reports/archive/2026-13/1.pdf")
    assert bad.status_code == 400 and "month" in bad.json()["fields"]


@pytest.mark.parametrize("name", ["agent1", "branch1", "ra_lead1"])
def test_the_archive_is_refused_outside_the_centres_management(api_for, name, staff):
    month_summary_generate(month=LAST)
    client = api_for(name)
    for path in (
        "/api/v1/reports/archive",
        f"/api/v1/reports/archive/{LAST}/1.pdf",
        f"/api/v1/reports/archive/{LAST}/1.xlsx",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert set(response.json()) == {"code", "message", "fields"}
    posted = client.post(
        "/api/v1/reports/archive", {"month": str(LAST)}, content_type="application/json"
    )
    assert posted.status_code == 403


def test_generating_is_for_directors_and_bad_months_are_400(
    api_for, staff, django_capture_on_commit_callbacks
):
    lead = api_for("lead1").post(
        "/api/v1/reports/archive", {"month": str(LAST)}, content_type="application/json"
    )
    assert (lead.status_code, lead.json()["code"]) == (403, "permission_denied")
    director = api_for("director1")
    with django_capture_on_commit_callbacks(execute=True):
        for body, field in (
            ({"month": "2026-13"}, "month"),
            ({"month": ""}, "month"),
            ({"month": str(MONTH.shift(1))}, "month"),
            ({}, "month"),
        ):
            response = director.post(
                "/api/v1/reports/archive", body, content_type="application/json"
            )
            assert response.status_code == 400, body
            assert field in str(response.json()["fields"]), body
    assert not MonthSummary.objects.exists()


def test_the_month_as_excel_from_the_api(api_for, staff, make_order):  # noqa: F811
    make_order()
    response = api_for("lead1").get(f"/api/v1/reports/month.xlsx?month={MONTH}")
    assert (response.status_code, response["Content-Type"]) == (200, XLSX)
    assert response["Content-Disposition"] == f'attachment; filename="postdesk-{MONTH}.xlsx"'
    rows = {row[0]: row[1:] for row in _workbook(response.content)["本月工单"]}
    assert rows["投诉"][0] == 1
    assert api_for("agent1").get("/api/v1/reports/month.xlsx").status_code == 403
    assert api_for("lead1").get("/api/v1/reports/month.xlsx?month=x").status_code == 400


# ---------------------------------------------------------------------------- the page


def test_the_archive_page(client_for, staff, django_capture_on_commit_callbacks):
    director = client_for("director1")
    assert 'href="/reports/archive/"' in director.get("/reports/").content.decode()
    empty = director.get("/reports/archive/").content.decode()
    assert "月度汇总存档" in empty and "尚无存档的汇总" in empty
    assert f'name="month" value="{LAST}"' in empty  # the month just closed, by default

    with django_capture_on_commit_callbacks(execute=True):
        response = director.post("/reports/archive/", {"month": str(LAST)}, follow=True)
    page = response.content.decode()
    assert "正在生成" in page
    month_summary_generate(month=LAST)
    page = director.get("/reports/archive/").content.decode()
    label = f"{LAST.year}年{LAST.month}月"
    assert page.count(label) >= 2 and "第 1 版" in page and "第 2 版" in page
    rows = {
        version: row for version, row in re.findall(r'data-version="(\d+)">(.*?)</tr>', page, re.S)
    }
    assert "陈主任" in rows["1"] and "每月定时" in rows["2"]  # who asked; the schedule
    assert f'href="/reports/archive/{LAST}/1.pdf"' in page
    assert f'href="/reports/archive/{LAST}/2.xlsx"' in page
    file = director.get(f"/reports/archive/{LAST}/1.pdf")
    stored = MonthSummary.objects.get(month=str(LAST), version=1)
    assert file.status_code == 200 and file.content == bytes(stored.pdf)
    assert director.get(f"/reports/archive/{LAST}/7.xlsx").status_code == 404

    refused = director.post("/reports/archive/", {"month": str(MONTH.shift(1))}, follow=True)
    assert "该月尚未开始" in refused.content.decode()
    assert MonthSummary.objects.count() == 2

    lead = client_for("lead1")
    lead_page = lead.get("/reports/archive/").content.decode()
    assert "第 1 版" in lead_page and 'data-testid="generate"' not in lead_page
    assert lead.post("/reports/archive/", {"month": str(LAST)}).status_code == 404
    for name in ("agent1", "branch1", "ra_lead1"):
        assert client_for(name).get("/reports/archive/").status_code == 404
        assert client_for(name).get(f"/reports/archive/{LAST}/1.pdf").status_code == 404
    assert (
        'href="/reports/archive/"' not in client_for("ra_lead1").get("/reports/").content.decode()
    )
