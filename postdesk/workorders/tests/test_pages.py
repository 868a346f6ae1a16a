"""Pages: the intake form (query parameters, duplicates), the order page and its actions,
lists, inbox, board, and attachments stored and served safely."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from postdesk.core.errors import PayloadTooLarge, UnsupportedMedia
from postdesk.workorders.models import Attachment, WorkOrder, WorkOrderEvent
from postdesk.workorders.services import attachment_add

# prepared: the lists' keyword search (selectors' own SQL) and the order pages
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
ZIP_DOCX = b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml" + b"\x00" * 40


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def form_data(**extra):
    data = {
        "type": "complaint",
        "subtype": "attitude",
        "priority": "normal",
        "caller_phone": "13812345678",
        "title": "投递员态度差",
        "description": "客户反映投递员态度生硬",
    }
    data.update(extra)
    return data


def test_new_form_takes_query_parameters(client_for, org):
    page = client_for("agent1").get(
        "/workorders/new/?type=tracing&waybill=EA473124829CN&phone=13812345678&customer=7&call=c-1"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="EA473124829CN"' in html and 'value="13812345678"' in html
    assert 'value="c-1"' in html and 'value="7"' in html
    assert '<option value="tracing" selected>' in html


def test_new_form_creates_and_dispatches_in_one_go(client_for, org):
    client = client_for("agent1")
    r = client.post("/workorders/new/", form_data(dispatch_to="WZ-LC01"))
    order = WorkOrder.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/workorders/{order.number}/"
    assert order.status == "dispatched" and order.handling_unit.code == "WZ-LC01"


def test_new_form_errors_are_shown(client_for, org):
    r = client_for("agent1").post("/workorders/new/", form_data(caller_phone="12", subtype=""))
    assert r.status_code == 400
    assert WorkOrder.objects.count() == 0


def test_duplicate_warns_then_merge_or_link(client_for, org):
    client = client_for("agent1")
    client.post("/workorders/new/", form_data())
    first = WorkOrder.objects.get()
    r = client.post("/workorders/new/", form_data(title="又来电"))
    assert r.status_code == 409 and first.number in r.content.decode()
    assert WorkOrder.objects.count() == 1
    r = client.post(
        "/workorders/new/", form_data(title="又来电", duplicate_choice=f"merge:{first.number}")
    )
    assert r.status_code == 302 and WorkOrder.objects.count() == 1
    assert WorkOrderEvent.objects.filter(order=first, action="note").exists()
    r = client.post(
        "/workorders/new/", form_data(title="另案", duplicate_choice=f"link:{first.number}")
    )
    assert WorkOrder.objects.count() == 2
    assert WorkOrder.objects.exclude(pk=first.pk).get().parent == first


def test_order_page_and_actions(client_for, org, make_order):
    order = make_order()
    agent = client_for("agent1")
    page = agent.get(f"/workorders/{order.number}/")
    assert page.status_code == 200 and 'data-action="dispatch"' in page.content.decode()
    r = agent.post(f"/workorders/{order.number}/act/dispatch/", {"unit": "WZ-LC01", "version": "1"})
    assert r.status_code == 302
    r = agent.post(f"/workorders/{order.number}/act/dispatch/", {"unit": "WZ-LC01", "version": "1"})
    # a stale form: post/redirect/get to the order, which says why, once
    assert r.status_code == 302 and r["Location"] == f"/workorders/{order.number}/#act-dispatch"
    shown = agent.get(r["Location"]).content.decode()
    assert 'data-testid="action-error"' in shown and "刷新" in shown
    assert 'data-testid="action-error"' not in agent.get(r["Location"]).content.decode()
    branch = client_for("branch1")
    assert branch.get("/workorders/inbox/").content.decode().count(order.number) >= 1
    assert branch.post(f"/workorders/{order.number}/act/accept/").status_code == 302
    r = branch.post(f"/workorders/{order.number}/act/feedback/", {"text": "已核查"}, follow=True)
    page = r.content.decode()
    assert r.redirect_chain[-1] == (f"/workorders/{order.number}/#act-feedback", 302)
    assert 'data-testid="feedback-ruling-error"' in page and "已核查</textarea>" in page
    upload = SimpleUploadedFile("照片.png", PNG, content_type="image/png")
    r = branch.post(
        f"/workorders/{order.number}/act/feedback/",
        {"text": "已核查", "ruling": "responsible", "file": upload},
    )
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == "fed_back" and order.attachments.count() == 1
    assert client_for("branch2").get(f"/workorders/{order.number}/").status_code == 404


def test_lists_inbox_board_panel_render(client_for, org, make_order, act):
    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "agent1", "escalate", reason="客户多次来电")
    for username, url in [
        ("agent1", "/workorders/"),
        ("agent1", "/workorders/?q=延误&type=complaint&status=open"),
        ("lead1", "/workorders/board/"),
        ("branch1", "/workorders/inbox/"),
        ("agent1", "/workorders/panel/"),
        ("branch1", "/workorders/panel/"),
    ]:
        r = client_for(username).get(url)
        assert r.status_code == 200, url
        assert order.number in r.content.decode(), url
    assert client_for("agent1").get("/workorders/board/").status_code == 404
    r = client_for("agent1").get("/workorders/?unit=NOPE")
    assert r.status_code == 200 and "error" in r.content.decode()


def test_attachment_checks_content_not_name(staff, make_order, settings):
    order = make_order()
    exe = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(UnsupportedMedia):
        attachment_add(actor=staff["agent1"], order=order, file=exe, name="invoice.pdf")
    html = io.BytesIO(b"<html><script>alert(1)</script></html>")
    with pytest.raises(UnsupportedMedia):
        attachment_add(actor=staff["agent1"], order=order, file=html, name="note.txt")
    settings.POSTDESK_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(PayloadTooLarge):
        attachment_add(
            actor=staff["agent1"],
            order=order,
            file=io.BytesIO(PNG + b"\x00" * 2000),
            name="big.png",
        )
    assert Attachment.objects.count() == 0
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_attachment_names_are_generated_and_served_safely(staff, make_order, client_for, settings):
    order = make_order()
    pdf = attachment_add(
        actor=staff["agent1"], order=order, file=io.BytesIO(PDF), name="../../etc/passwd.pdf"
    )
    doc = attachment_add(
        actor=staff["agent1"], order=order, file=io.BytesIO(ZIP_DOCX), name="报告.docx"
    )
    txt = attachment_add(
        actor=staff["agent1"], order=order, file=io.BytesIO("客户来信".encode()), name="letter.html"
    )
    assert ".." not in pdf.stored_name and pdf.original_name == "passwd.pdf"
    stored = Path(settings.MEDIA_ROOT) / "workorders" / pdf.stored_name
    assert stored.exists() and stored.read_bytes() == PDF
    client = client_for("agent1")
    r = client.get(f"/workorders/attachments/{pdf.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("inline")
    for other in (doc, txt):
        r = client.get(f"/workorders/attachments/{other.pk}/")
        assert r["Content-Disposition"].startswith("attachment")
        assert r["X-Content-Type-Options"] == "nosniff"
    assert txt.content_type == "text/plain"
    assert client_for("branch2").get(f"/workorders/attachments/{pdf.pk}/").status_code == 404


def test_tracing_form_proposes_the_unit_that_last_handled_the_item(client_for, org):
    from datetime import timedelta

    from django.utils import timezone

    from postdesk.tracking.models import Event, Office

    Office.objects.create(code="325000", name="温州处理中心", unit=None)
    Office.objects.create(code="325001", name="鹿城支局", unit=org["WZ-LC01"])
    now = timezone.now()
    for minutes, code, office in ((90, "accepted", "325000"), (30, "arrived", "325001")):
        Event.objects.create(
            waybill_no="EA473124829CN",
            event_code=code,
            event_time=now - timedelta(minutes=minutes),
            office_code=office,
            recorded_at=now,
        )
    html = client_for("agent1").get("/workorders/new/?type=tracing&waybill=EA473124829CN")
    assert '<option value="WZ-LC01" selected>' in html.content.decode()
    html = client_for("agent1").get("/workorders/new/?type=tracing&waybill=EB000000000CN")
    assert '<option value="WZ-LC01" selected>' not in html.content.decode()


def test_form_asks_the_knowledge_base_as_the_agent_types(client_for, org):
    from django.urls import reverse

    html = client_for("agent1").get("/workorders/new/").content.decode()
    url = reverse("knowledge:suggest")
    assert f'data-suggest-url="{url}"' in html and 'id="kb-suggest"' in html
    fragment = client_for("agent1").get(url, {"description": "包裹延误怎么办", "title": ""})
    assert fragment.status_code == 200


def test_a_small_list_is_counted_exactly_and_a_page_past_the_end_shows_the_last(
    client_for, make_order
):
    for i in range(3):
        make_order(title=f"第{i}张")
    admin = client_for("admin")
    total = WorkOrder.objects.count()
    body = admin.get("/workorders/").content.decode()
    assert f'data-testid="wo-count">{total} 张工单</p>' in body
    past = admin.get("/workorders/?page=999999").content.decode()
    assert "999999 /" not in past
    pages = (total + 24) // 25
    assert f"<span>{pages} / {pages}</span>" in past
