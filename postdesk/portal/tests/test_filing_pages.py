"""The filing pages (/public/file/) and the follow page's rating form, through the same
service as the API; and the public-data check of what the answer and follow pages show."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.customers.models import Customer
from postdesk.portal.challenge import solve
from postdesk.routing.services import service_area_create
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.public_ref import format_public_ref
from postdesk.workorders.services import work_order_note

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="challenge" value="([^"]+)" data-bits="(\d+)"')


def _form(client, kind: str) -> dict[str, str]:
    html = client.get("/public/file/", {"type": kind}).content.decode()
    token, bits = TOKEN.search(html).groups()
    return {"type": kind, "challenge": token, "solution": solve(token, int(bits))}


COMPLAINT = {
    "subtype": "loss",
    "text": "包裹显示妥投但我没有收到。",
    "waybill_no": "EA473124829CN",
    "name": "钱先生",
    "phone": "13957705678",
}


def test_the_pages_offer_every_type_and_each_form_its_fields(org, anon):
    choose = anon.get("/public/file/").content.decode()
    for kind in ("complaint", "pickup", "consultation", "suggestion"):
        assert f"?type={kind}" in choose
    complaint = anon.get("/public/file/", {"type": "complaint"}).content.decode()
    assert 'name="subtype"' in complaint and "延误" in complaint and "data-kb-hints" in complaint
    assert 'name="website"' in complaint and "pow.js" in complaint
    pickup = anon.get("/public/file/", {"type": "pickup"}).content.decode()
    assert 'name="address"' in pickup and 'name="window_date"' in pickup
    assert 'name="subtype"' not in pickup and "data-kb-hints" not in pickup
    assert "/public/file/" in anon.get("/public/").content.decode()


def test_filing_on_the_page_answers_with_the_code_what_next_and_by_when(org, anon):
    r = anon.post("/public/file/", {**_form(anon, "complaint"), **COMPLAINT})
    assert r.status_code == 302 and "/public/file/done/?t=" in r["Location"]
    order = WorkOrder.objects.get()
    assert order.details["channel"] == "web" and order.subtype == "loss"
    html = anon.get(r["Location"]).content.decode()
    assert format_public_ref(order.public_ref) in html
    due = timezone.localtime(order.reply_due_at)
    assert f"最迟于{due.year}年{due.month}月{due.day}日 {due:%H:%M}前答复您" in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", html)  # no ISO on the page
    assert "您的投诉已受理" in html
    # a forged or missing link shows nothing
    assert anon.get("/public/file/done/", {"t": "x" + r["Location"][-10:]}).status_code == 302


def test_a_pickup_on_the_page_names_the_branch_and_the_window(org, anon):
    service_area_create(actor=None, unit=org["WZ-LC01"], district="鹿城区")
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    fields = {
        **_form(anon, "pickup"),
        "text": "一个纸箱，约3公斤",
        "address": "温州市鹿城区南郊街道信河街5号",
        "window_date": day,
        "window_from": "14:00",
        "window_to": "16:00",
        "name": "孙女士",
        "phone": "0577-88123456",
    }
    r = anon.post("/public/file/", fields)
    assert r.status_code == 302, r.content.decode()[:2000]
    html = anon.get(r["Location"]).content.decode()
    assert "已安排鹿城支局为您上门揽收" in html and "14:00-16:00" in html
    order = WorkOrder.objects.get()
    assert order.handling_unit.code == "WZ-LC01" and order.caller_phone == "+8657788123456"


def test_a_bad_page_filing_shows_the_fields_and_writes_nothing(org, anon):
    customers = Customer.objects.count()
    form = _form(anon, "complaint")
    r = anon.post("/public/file/", {**form, **COMPLAINT, "phone": "12345", "text": ""})
    html = r.content.decode()
    assert r.status_code == 400 and "这不是有效的电话号码" in html and "请简单说明情况" in html
    assert 'value="钱先生"' in html
    unsolved = anon.post("/public/file/", {**form, **COMPLAINT, "solution": ""})
    assert unsolved.status_code == 400 and "页面校验尚未完成" in unsolved.content.decode()
    trap = anon.post("/public/file/", {**_form(anon, "complaint"), **COMPLAINT, "website": "x"})
    assert trap.status_code == 400
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    pickup = {**_form(anon, "pickup"), **COMPLAINT, "address": "鹿城区信河街5号"}
    pickup.update(window_date=past, window_from="09:00", window_to="11:00", subtype="")
    late = anon.post("/public/file/", pickup)
    assert late.status_code == 400 and "这个时间已经过去" in late.content.decode()
    assert WorkOrder.objects.count() == 0 and Customer.objects.count() == customers


def test_the_page_shares_the_hourly_limit(org, anon, settings):
    settings.POSTDESK_PORTAL_FILE_PER_PHONE = 1
    assert anon.post("/public/file/", {**_form(anon, "complaint"), **COMPLAINT}).status_code == 302
    r = anon.post("/public/file/", {**_form(anon, "complaint"), **COMPLAINT})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "一小时内提交的次数过多" in r.content.decode()
    assert WorkOrder.objects.count() == 1


STAFF_NAMES = ("王晓燕", "李佳琪", "徐建国", "林班长", "网上自助服务", "陈主任")
INTERNAL = ("内部备注：客户情绪激动", "内部反馈：投递员漏投", "0577-88881001")


def _private(order) -> tuple[str, ...]:
    return (*STAFF_NAMES, *INTERNAL, order.number, "13957705678", "钱先生", "EA473124829CN")


def test_the_answer_and_follow_pages_show_public_data_only(org, staff, anon, act):
    r = anon.post("/public/file/", {**_form(anon, "complaint"), **COMPLAINT})
    done = anon.get(r["Location"]).content.decode()
    order = WorkOrder.objects.get()
    work_order_note(actor=staff["agent1"], order=order, text=INTERNAL[0])
    order = act(order, "lead1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text=INTERNAL[1], ruling="responsible")
    order = act(order, "lead1", "reply", text="您好，邮件已找回，今天下午送达。")
    follow = anon.post(
        "/public/follow/", {"reference": order.public_ref, "phone_last4": "5678"}
    ).content.decode()
    assert "邮件已找回" in follow and "已转交鹿城支局办理" in follow and "rate-form" in follow
    rated = anon.post(
        "/public/follow/rate/",
        {"reference": order.public_ref, "phone_last4": "5678", "satisfaction": "satisfied"},
    )
    assert rated.status_code == 200 and "感谢您的评价" in rated.content.decode()
    api = anon.get(f"/api/v1/public/requests/{order.public_ref}", {"phone_last4": "5678"})
    for name, text in (("answer", done), ("follow", follow), ("rated", rated.content.decode())):
        for secret in _private(order):
            assert secret not in text, (name, secret)
    for secret in _private(order):
        assert secret not in api.content.decode(), ("api", secret)


def test_rating_on_the_follow_page_needs_a_comment_when_dissatisfied(org, anon, make_order, act):
    order = make_order()
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="已处理", ruling="partly")
    order = act(order, "agent1", "reply", text="已处理，请查收。")
    ask = {"reference": order.public_ref, "phone_last4": "5678", "satisfaction": "dissatisfied"}
    bare = anon.post("/public/follow/rate/", ask)
    assert bare.status_code == 400 and "请告诉我们哪里不满意" in bare.content.decode()
    wrong = anon.post("/public/follow/rate/", {**ask, "phone_last4": "1111", "comment": "差"})
    assert wrong.status_code == 404
    ok = anon.post("/public/follow/rate/", {**ask, "comment": "还是没收到"})
    assert ok.status_code == 200 and "感谢您的评价" in ok.content.decode()
    order.refresh_from_db()
    assert order.status == "processing" and order.satisfaction == "dissatisfied"
    again = anon.post("/public/follow/rate/", {**ask, "satisfaction": "satisfied"})
    assert again.status_code == 409 and "只能评价一次" in again.content.decode()
    assert anon.get("/public/follow/rate/").status_code == 302
