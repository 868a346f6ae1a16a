"""Tracking and following for the public: API and pages, public data only, the same 404
for an unknown reference and wrong digits, and the follow rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from postdesk.tracking.models import Event
from postdesk.workorders.public_ref import format_public_ref

pytestmark = pytest.mark.django_db

WAYBILL = "EA473124829CN"
OPERATOR = "投递员王小明"
SIGNER = "张三丰"
NOTE = "内部备注：客户难缠"


@pytest.fixture
def anon():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


@pytest.fixture
def parcel(db):
    t0 = timezone.now() - timedelta(days=2)
    rows = [
        ("ACCEPTED", "温州鹿城揽投部", ""),
        ("ARRIVED", "温州邮区中心", ""),
        ("OUT_FOR_DELIVERY", "杭州西湖揽投部", ""),
        ("DELIVERY_FAILED", "杭州西湖揽投部", "收件人不在"),
        ("DELIVERED", "杭州西湖揽投部", ""),
    ]
    for i, (code, office, reason) in enumerate(rows):
        Event.objects.create(
            waybill_no=WAYBILL,
            event_code=code,
            event_time=t0 + timedelta(hours=i * 5),
            office_code=f"OF{i}",
            office_name=office,
            recorded_at=t0 + timedelta(hours=i * 5, minutes=1),
            operator=OPERATOR,
            reason=reason,
            signer=SIGNER if code == "DELIVERED" else "",
            description=NOTE,
        )
    return WAYBILL


def _no_internal(text: str) -> None:
    for secret in (OPERATOR, SIGNER, NOTE, "13812345678", "王小明"):
        assert secret not in text, secret


def test_track_api_answers_public_events_only(anon, parcel):
    r = anon.get(f"/api/v1/public/track/{parcel.lower()}")
    assert r.status_code == 200
    body = r.json()
    assert body["waybill"] == WAYBILL and body["status"] == "DELIVERED"
    labels = [e["label"] for e in body["events"]]
    assert labels == ["收寄", "到达", "安排投递", "未妥投（收件人不在）", "妥投"]
    assert set(body["events"][0]) == {"at", "code", "label", "office"}
    assert body["events"][0]["office"] == "温州鹿城揽投部"
    _no_internal(r.content.decode())


def test_track_wrong_check_digit_says_check_the_number_with_the_position(anon):
    wrong = "EA473124828CN"
    r = anon.get(f"/api/v1/public/track/{wrong}")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "validation_error" and "waybill" in body["fields"]
    assert "请核对" in body["message"] and "第 3 至 11 位" in body["message"]
    page = anon.get("/public/track/", {"waybill": wrong})
    assert page.status_code == 400 and "请核对" in page.content.decode()


def test_track_garbage_is_a_400_never_a_500(anon):
    for raw in ["%00", "x" * 300, "EA-473", "运单"]:
        r = anon.get(f"/api/v1/public/track/{raw}")
        assert r.status_code in (400, 404), (raw, r.status_code)
    assert anon.get("/public/track/", {"waybill": "\x00\x01"}).status_code == 400


def test_track_page_in_chinese_without_internal_data(anon, parcel):
    r = anon.get("/public/track/", {"waybill": parcel})
    html = r.content.decode()
    assert r.status_code == 200 and "妥投" in html and "温州鹿城揽投部" in html
    assert "DELIVERED" not in html and "11185" in html
    _no_internal(html)


def _replied(make_order, act):
    order = make_order(description=NOTE)
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="内部反馈：投递员王小明漏投", ruling="partly")
    order = act(order, "agent1", "reply", text="您好，您的包裹已找到并安排投递。")
    return order


def test_follow_api_public_milestones_and_the_reply(anon, make_order, act):
    order = _replied(make_order, act)
    ref = format_public_ref(order.public_ref)
    r = anon.get(f"/api/v1/public/requests/{ref.lower()}", {"phone_last4": "5678"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["reference"] == ref and body["type"] == "complaint"
    assert body["status"] == "replied"
    whats = [m["what"] for m in body["timeline"]]
    assert whats[0] == "已受理您的诉求" and whats[-1] == "已答复"
    assert any(w.startswith("已转交") for w in whats)
    assert body["reply"] == "您好，您的包裹已找到并安排投递。"
    text = r.content.decode()
    _no_internal(text)
    assert "内部反馈" not in text and order.number not in text


def test_unknown_reference_and_wrong_digits_answer_the_same_404(anon, make_order):
    order = make_order()
    wrong = anon.get(f"/api/v1/public/requests/{order.public_ref}", {"phone_last4": "0000"})
    unknown = anon.get("/api/v1/public/requests/ZZZZ-ZZZZ", {"phone_last4": "5678"})
    missing = anon.get(f"/api/v1/public/requests/{order.public_ref}")
    assert wrong.status_code == unknown.status_code == missing.status_code == 404
    assert wrong.json() == unknown.json() == missing.json()


def test_five_wrong_tries_for_one_reference_answer_429(anon, make_order):
    order = make_order()
    url = f"/api/v1/public/requests/{order.public_ref}"
    for _ in range(5):
        assert anon.get(url, {"phone_last4": "0000"}).status_code == 404
    # from another address too, and even with the right digits
    other = Client(REMOTE_ADDR="10.9.9.9")
    r = other.get(url, {"phone_last4": "5678"})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0


def test_twenty_wrong_tries_from_one_address_answer_429(anon, make_order):
    order = make_order()
    for i in range(20):
        ref = f"ZZZZ{i:04d}".replace("0", "Z").replace("1", "Y")
        assert anon.get(f"/api/v1/public/requests/{ref}", {"phone_last4": "1"}).status_code == 404
    r = anon.get(f"/api/v1/public/requests/{order.public_ref}", {"phone_last4": "5678"})
    assert r.status_code == 429 and r["Retry-After"]
    fine = Client(REMOTE_ADDR="10.1.2.3")
    ok = fine.get(f"/api/v1/public/requests/{order.public_ref}", {"phone_last4": "5678"})
    assert ok.status_code == 200


def test_follow_page(anon, make_order, act):
    order = _replied(make_order, act)
    page = anon.get("/public/follow/")
    assert page.status_code == 200 and "查询码" in page.content.decode()
    r = anon.post("/public/follow/", {"reference": order.public_ref, "phone_last4": "5678"})
    html = r.content.decode()
    assert r.status_code == 200 and "已回复" in html and "您的包裹已找到" in html
    _no_internal(html)
    assert "内部反馈" not in html
    bad = anon.post("/public/follow/", {"reference": order.public_ref, "phone_last4": "1111"})
    assert bad.status_code == 404 and "请核对" in bad.content.decode()


def test_home_links_every_service(anon):
    r = anon.get("/public/")
    html = r.content.decode()
    assert r.status_code == 200
    for url in ("/public/track/", "/public/follow/", "/public/kb/"):
        assert url in html
