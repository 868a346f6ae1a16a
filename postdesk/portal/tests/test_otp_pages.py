"""The follow page's second way: 用手机号查询 — the number, the SMS's code (to a real local
HTTP server playing the provider), the list; in Chinese, public data only."""

from __future__ import annotations

import pytest
from django.test import Client

from postdesk.portal.otp_views import COOKIE
from postdesk.workorders.public_ref import format_public_ref

pytestmark = pytest.mark.django_db
PHONE = "13812345678"
NOTE = "内部备注：客户难缠"
_state: dict = {}


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    _state["cm"] = django_capture_on_commit_callbacks


@pytest.fixture
def anon():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def post(client: Client, **data):
    with _state["cm"](execute=True):
        return client.post("/public/follow/phone/", data)


def test_the_follow_page_offers_the_phone_way(anon):
    html = anon.get("/public/follow/").content.decode()
    assert "用手机号查询" in html and "/public/follow/phone/" in html
    page = anon.get("/public/follow/phone/")
    assert page.status_code == 200 and "获取验证码" in page.content.decode()


def test_phone_then_code_then_the_list(anon, sms_gateway, make_order, act):
    order = make_order(description=NOTE)
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="内部反馈：漏投", ruling="partly")
    order = act(order, "agent1", "reply", text="您好，您的包裹已找到。")
    r = post(anon, step="send", phone=PHONE)
    html = r.content.decode()
    assert r.status_code == 200 and "验证码已发出" in html and 'name="code"' in html
    code = str(sms_gateway.accepted[-1]["params"]["code"])

    wrong = post(anon, step="verify", phone=PHONE, code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert COOKIE not in wrong.cookies

    ok = post(anon, step="verify", phone=PHONE, code=code)
    assert ok.status_code == 302 and ok.cookies[COOKIE]["httponly"]
    listed = anon.get("/public/follow/phone/")
    html = listed.content.decode()
    assert listed.status_code == 200
    assert format_public_ref(order.public_ref) in html and "已回复" in html
    assert "138****5678" in html and PHONE not in html
    assert "您的包裹已找到" in html and "评价答复" in html
    for secret in (NOTE, "内部反馈", order.number, "agent1"):
        assert secret not in html, secret

    rate = anon.post(
        "/public/follow/", {"reference": format_public_ref(order.public_ref), "phone_last4": "5678"}
    )
    assert rate.status_code == 200 and 'data-testid="rate-form"' in rate.content.decode()

    left = post(anon, step="leave")
    assert left.status_code == 302
    assert "获取验证码" in anon.get("/public/follow/phone/").content.decode()


def test_bad_phone_and_the_limit_on_the_page(anon, sms_gateway):
    bad = post(anon, step="send", phone="12345")
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.content.decode()
    assert post(anon, step="send", phone=PHONE).status_code == 200
    again = post(anon, step="resend", phone=PHONE)
    assert again.status_code == 429 and again["Retry-After"]
    assert "请稍后" in again.content.decode() and 'name="code"' in again.content.decode()
    assert len(sms_gateway.accepted) == 1


def test_a_forged_cookie_shows_the_phone_form(anon):
    anon.cookies[COOKIE] = "forged:token"
    html = anon.get("/public/follow/phone/").content.decode()
    assert "获取验证码" in html and 'data-testid="otp-list"' not in html
