"""Following by phone with a one-time code: the SMS reaches a real local HTTP server that
plays the provider (conftest.FakeSmsGateway); wrong, expired and exhausted codes; tokens
of another phone or forged or expired; public data only; the sending limits."""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from postdesk.notify.models import SmsMessage
from postdesk.portal import otp
from postdesk.portal.models import OneTimeCode
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.public_ref import format_public_ref

pytestmark = pytest.mark.django_db
J = "application/json"
PHONE = "13812345678"
OTHER = "13957701234"
NOTE = "内部备注：客户难缠"
FEEDBACK = "内部反馈：投递员王小明漏投"


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    _state["cm"] = django_capture_on_commit_callbacks


_state: dict = {}


@pytest.fixture
def anon():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def ask(client: Client, phone: str = PHONE):
    """POST /otp with the outbox running on commit, as in life."""
    with _state["cm"](execute=True):
        return client.post("/api/v1/public/otp", json.dumps({"phone": phone}), content_type=J)


def verify(client: Client, code: str, phone: str = PHONE):
    body = json.dumps({"phone": phone, "code": code})
    return client.post("/api/v1/public/otp/verify", body, content_type=J)


def sent_code(gateway, phone: str = PHONE) -> str:
    national = phone.replace(" ", "")
    taken = [m for m in gateway.accepted if m["phone"] == national]
    assert taken, gateway.accepted
    return str(taken[-1]["params"]["code"])


def mine(client: Client, token: str, header: str = "bearer"):
    if header == "bearer":
        return client.get("/api/v1/public/my-requests", HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get("/api/v1/public/my-requests", HTTP_X_PORTAL_TOKEN=token)


@pytest.fixture
def orders(make_order, act):
    """A replied complaint and a new consultation of PHONE, one of OTHER, and one of
    PHONE older than a year."""
    replied = make_order(description=NOTE)
    replied = act(replied, "agent1", "dispatch", unit="WZ-LC01")
    replied = act(replied, "branch1", "accept")
    replied = act(replied, "branch1", "feedback", text=FEEDBACK, ruling="partly")
    replied = act(replied, "agent1", "reply", text="您好，您的包裹已找到并安排投递。")
    fresh = make_order(type="consultation", title="咨询寄递时限")
    other = make_order(caller_phone=OTHER, title="别人的投诉")
    old = make_order(title="一年多以前的投诉")
    WorkOrder.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    return {"replied": replied, "fresh": fresh, "other": other, "old": old}


def test_the_whole_flow_lists_the_phones_requests_with_public_data_only(anon, sms_gateway, orders):
    r = ask(anon, "138 1234 5678")
    assert r.status_code == 202, r.content
    assert r.json() == {"sent": True, "expires_in": 300}
    (taken,) = sms_gateway.accepted
    code = str(taken["params"]["code"])
    assert len(code) == 6 and code.isdigit()
    row = OneTimeCode.objects.get()
    assert code not in row.code_hash and row.phone == "+8613812345678"
    message = SmsMessage.objects.get(template="one_time_code")
    assert message.urgent and message.status == "sent"
    assert code not in message.text and code not in json.dumps(message.params)  # starred
    assert message.expires_at <= row.expires_at

    r = verify(anon, code)
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    assert r.json()["expires_at"]
    for header in ("bearer", "x-portal-token"):
        listed = mine(anon, token, header)
        assert listed.status_code == 200, listed.content
        refs = [x["reference"] for x in listed.json()["requests"]]
        assert refs == [
            format_public_ref(orders["fresh"].public_ref),
            format_public_ref(orders["replied"].public_ref),
        ]
    first = listed.json()["requests"][1]
    assert set(first) == {
        "reference", "type", "type_label", "status", "status_label", "created_at", "timeline",
        "reply",
    }  # fmt: skip
    assert first["status"] == "replied" and first["reply"].startswith("您好")
    assert [m["what"] for m in first["timeline"]][-1] == "已答复"
    text = listed.content.decode()
    for secret in (NOTE, FEEDBACK, "王小明", "agent1", orders["replied"].number, "别人的投诉"):
        assert secret not in text, secret
    assert verify(anon, code).status_code == 400  # good once


def test_a_phone_without_requests_gets_the_same_answer(anon, sms_gateway, orders):
    unknown = ask(anon, "13700001111")
    known = ask(Client(REMOTE_ADDR="10.0.0.2"), PHONE)
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    token = verify(anon, sent_code(sms_gateway, "13700001111"), "13700001111").json()["token"]
    assert mine(anon, token).json() == {"requests": []}


@pytest.mark.parametrize(
    "phone", ["", "12345", "0577-88001234", "1381234567x", "\x00138", "1" * 41, "+1 415 555 0100"]
)
def test_a_number_that_is_not_a_mobile_is_a_400_and_sends_nothing(anon, sms_gateway, phone):
    r = ask(anon, phone)
    assert r.status_code in (400, 422), r.content
    if r.status_code == 400 and r.json()["fields"]:
        assert "phone" in r.json()["fields"]
    assert not OneTimeCode.objects.exists() and not sms_gateway.accepted


def test_a_wrong_code_is_refused_then_the_right_one_works(anon, sms_gateway, orders):
    ask(anon)
    code = sent_code(sms_gateway)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    r = verify(anon, wrong)
    assert r.status_code == 400 and r.json()["code"] == "otp_wrong"
    assert "code" in r.json()["fields"]
    assert verify(anon, "12ab").status_code == 400
    assert verify(anon, code, OTHER).json()["code"] == "otp_wrong"  # another phone's code
    assert verify(anon, code).status_code == 200


def test_an_expired_code_is_refused(anon, sms_gateway, orders):
    ask(anon)
    code = sent_code(sms_gateway)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    r = verify(anon, code)
    assert r.status_code == 400 and r.json()["code"] == "otp_expired"


def test_five_tries_use_the_code_up_even_for_the_right_code(anon, sms_gateway, orders):
    ask(anon)
    code = sent_code(sms_gateway)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answers = [verify(anon, wrong).json()["code"] for _ in range(otp.MAX_ATTEMPTS)]
    assert answers == ["otp_wrong"] * 4 + ["otp_exhausted"]
    r = verify(Client(REMOTE_ADDR="10.0.0.9"), code)
    assert r.status_code == 400 and r.json()["code"] == "otp_exhausted"
    assert OneTimeCode.objects.get().attempts == otp.MAX_ATTEMPTS


def test_a_new_code_supersedes_the_old_one(anon, sms_gateway, orders, settings):
    ask(anon)
    first = sent_code(sms_gateway)
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    settings.POSTDESK_RATELIMIT_PREFIX += "later:"  # a minute has passed for the limiter
    assert ask(anon).status_code == 202
    second = sent_code(sms_gateway)
    if first != second:
        assert verify(anon, first).json()["code"] == "otp_wrong"
    assert verify(anon, second).status_code == 200


def test_another_phones_token_lists_only_that_phone(anon, sms_gateway, orders):
    ask(anon, OTHER)
    token = verify(anon, sent_code(sms_gateway, OTHER), OTHER).json()["token"]
    refs = [x["reference"] for x in mine(anon, token).json()["requests"]]
    assert refs == [format_public_ref(orders["other"].public_ref)]


@pytest.mark.parametrize("mangle", ["none", "forged", "tampered", "expired"])
def test_a_missing_forged_or_expired_token_is_a_401(anon, orders, mangle):
    good = otp.token_issue(phone="+8613812345678").token
    token = {
        "none": "",
        "forged": "eyJwIjoiKzg2MTM4MTIzNDU2NzgiLCJlIjo5OTk5OTk5OTk5fQ:abc",
        "tampered": good.replace("eyJw", "eyJx", 1) if "eyJw" in good else good + "x",
        "expired": otp.token_issue(
            phone="+8613812345678", now=timezone.now() - otp.TOKEN_TTL - timedelta(seconds=1)
        ).token,
    }[mangle]
    r = mine(anon, token)
    assert r.status_code == 401 and r.json()["code"] in {"otp_token_invalid", "not_authenticated"}
    assert "requests" not in r.json()


def not_at_a_window_end(window: int, margin: float = 5.0) -> None:
    """Fixed windows: start a test that needs one window well inside it."""
    import time as clock

    left = window - clock.time() % window
    if left < margin:
        clock.sleep(left + 0.05)


def test_sending_is_limited_per_phone_and_per_address(anon, sms_gateway):
    not_at_a_window_end(60)
    assert ask(anon).status_code == 202
    again = ask(anon)
    assert again.status_code == 429 and 0 < int(again["Retry-After"]) <= 60
    assert len(sms_gateway.accepted) == 1  # the refused ask sent nothing
    # the same phone from another address: the phone's minute is used up
    assert ask(Client(REMOTE_ADDR="10.0.0.7")).status_code == 429
    # one address asking for many phones: 5 a minute
    codes = [ask(anon, f"1370000{i:04d}").status_code for i in range(6)]
    assert codes == [202] * 4 + [429] * 2  # PHONE was the first of this minute's five


def test_five_codes_an_hour_per_phone(anon, sms_gateway):
    from postdesk.core import ratelimit

    for _ in range(5):  # five asks earlier this hour, each in a minute of its own
        ratelimit.hit("portal-otp-phone-hour:+8613812345678", limit=99, window_seconds=3600)
    r = ask(Client(REMOTE_ADDR="10.1.0.1"))
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert not sms_gateway.accepted


def test_wrong_codes_from_one_address_answer_429(anon, sms_gateway, orders):
    not_at_a_window_end(15 * 60, margin=10)
    for i in range(guard_limit()):
        r = verify(anon, "000000", f"1370000{i:04d}")
        assert r.status_code == 400
    r = verify(anon, "000000")
    assert r.status_code == 429 and r["Retry-After"]


def guard_limit() -> int:
    from postdesk.portal.guard import OTP_VERIFY_PER_IP

    return OTP_VERIFY_PER_IP


def test_quiet_hours_do_not_hold_a_code(anon, sms_gateway, settings):
    settings.SMS_QUIET_HOURS = (time(0, 0), time(23, 59, 59))  # always quiet
    assert ask(anon).status_code == 202
    assert len(sms_gateway.accepted) == 1
    assert SmsMessage.objects.get().status == "sent"
