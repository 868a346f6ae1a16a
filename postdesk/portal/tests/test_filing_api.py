"""Filing on the public API: a web intake like a phone one (channel web, the same
deadlines, the caller matched or created as a customer, a pickup routed), and every bad
input refused with the fields named and nothing written."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from postdesk.customers.models import Customer
from postdesk.customers.services import customer_create
from postdesk.notices.models import Notice
from postdesk.portal.models import SpentChallenge
from postdesk.portal.tests.conftest import COMPLAINT, pickup_window, solved, wrong_solution
from postdesk.routing.services import service_area_create
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.public_ref import parse_public_ref
from postdesk.workorders.selectors_to_route import work_orders_to_route

pytestmark = pytest.mark.django_db


def _order(response) -> WorkOrder:
    return WorkOrder.objects.get(public_ref=parse_public_ref(response.json()["reference"]))


def test_the_challenge_names_its_difficulty(anon):
    body = anon.get("/api/v1/public/challenge").json()
    assert set(body) == {"challenge", "bits", "algorithm", "expires_at"}
    assert body["bits"] == 8 and body["algorithm"] == "sha256"
    assert anon.get("/api/v1/public/challenge").json()["challenge"] != body["challenge"]


def test_a_complaint_is_a_web_intake_with_a_phone_intakes_deadlines(org, file_request, make_order):
    r = file_request()
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"reference", "type", "status", "due_at"}
    assert body["type"] == "complaint" and body["status"] == "received"
    order = _order(r)
    assert order.details["channel"] == "web" and order.owner.username == "portal"
    assert (order.subtype, order.waybill_no, order.caller_phone) == (
        "delay",
        "EA473124829CN",
        "+8613957701234",
    )
    assert order.title.startswith("寄往杭州的包裹") and order.status == "new"
    assert order.customer.name == "赵女士"
    assert WorkOrderEvent.objects.get(order=order).action == "create"
    # the same deadlines as a phone intake taken at the same moment
    phone = make_order(now=order.created_at, caller_phone="13957701234")
    assert "channel" not in phone.details
    for name in ("dispatch_due_at", "reply_due_at", "due_at"):
        assert getattr(order, name) == getattr(phone, name), name
    due = datetime.fromisoformat(body["due_at"])
    assert abs(due - order.reply_due_at) < timedelta(milliseconds=1)  # the reply's deadline


def test_the_caller_is_matched_to_the_customer_with_that_phone(org, staff, file_request):
    known = customer_create(actor=staff["agent1"], name="赵丽", phones=["0139-5770-1234"])
    before = Customer.objects.count()
    r = file_request(name="赵女士")
    assert r.status_code == 201
    assert _order(r).customer_id == known.pk and Customer.objects.count() == before
    other = file_request(phone="13600001111", type="suggestion", subtype="")
    assert other.status_code == 201
    assert _order(other).customer.phones.get().number == "+8613600001111"
    assert Customer.objects.count() == before + 1


@pytest.fixture
def areas(org):
    service_area_create(actor=None, unit=org["WZ-LC01"], district="鹿城区")


def test_a_pickup_goes_to_the_branch_its_address_routes_to(areas, file_request):
    window = pickup_window()
    r = file_request(
        type="pickup",
        subtype="",
        waybill_no="",
        text="两箱衣物，约10公斤",
        address="温州市鹿城区南郊街道信河街5号",
        **window,
    )
    assert r.status_code == 201, r.content
    order = _order(r)
    assert order.status == "dispatched" and order.handling_unit.code == "WZ-LC01"
    assert r.json()["status"] == "processing"
    assert order.details["address"] == "温州市鹿城区南郊街道信河街5号"
    # "12月4日 15:00-17:00", or with the end's date when the window passes midnight
    assert order.details["window"].endswith(window["window_end"][11:16])
    notice = Notice.objects.get(work_order=order)
    assert notice.unit.code == "WZ-LC01"
    assert notice.window_end == datetime.fromisoformat(window["window_end"])


def test_a_pickup_without_one_unit_waits_to_be_routed(areas, file_request, staff):
    r = file_request(
        type="pickup",
        subtype="",
        waybill_no="",
        text="一个纸箱",
        address="上海市浦东新区世纪大道100号",
        **pickup_window(),
    )
    assert r.status_code == 201, r.content
    order = _order(r)
    assert order.status == "new" and order.handling_unit is None
    assert order.route_status == "unmatched"
    assert [row.order.pk for row in work_orders_to_route(user=staff["lead1"])] == [order.pk]


def _past() -> dict[str, str]:
    start = timezone.localtime() - timedelta(hours=3)
    return {
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(hours=2)).isoformat(),
    }


PICKUP = {"type": "pickup", "subtype": "", "waybill_no": "", "address": "鹿城区信河街5号"}
BAD = {
    "empty text": ({"text": ""}, "text"),
    "blank name": ({"name": "   "}, "name"),
    "no phone": ({"phone": ""}, "phone"),
    "not a phone": ({"phone": "12345"}, "phone"),
    "a service number": ({"phone": "11185"}, "phone"),
    "letters for a phone": ({"phone": "138abcd5678"}, "phone"),
    "oversize text": ({"text": "包" * 2001}, "text"),
    "oversize name": ({"name": "名" * 51}, "name"),
    "control character": ({"text": "包裹\u0007没到"}, "text"),
    "NUL in the name": ({"name": "赵\u0000"}, "name"),
    "unknown type": ({"type": "praise"}, "type"),
    "complaint without sub-type": ({"subtype": ""}, "subtype"),
    "sub-type on a suggestion": ({"type": "suggestion", "subtype": "delay"}, "subtype"),
    "wrong check digit": ({"waybill_no": "EA473124828CN"}, "waybill_no"),
    "address on a complaint": ({"address": "鹿城区信河街5号"}, "address"),
    "pickup without address": ({**PICKUP, "address": "", **pickup_window()}, "address"),
    "pickup without window": ({**PICKUP}, "window_start"),
    "window in the past": ({**PICKUP, **_past()}, "window_start"),
    "window ends first": (
        {
            **PICKUP,
            "window_start": pickup_window()["window_end"],
            "window_end": pickup_window()["window_start"],
        },
        "window_end",
    ),
    "not a datetime": (
        {**PICKUP, "window_start": "明天上午", "window_end": "明天下午"},
        "window_start",
    ),
}


@pytest.fixture
def nothing_written(org):
    def counts():
        return (
            WorkOrder.objects.count(),
            WorkOrderEvent.objects.count(),
            Customer.objects.count(),
            SpentChallenge.objects.count(),
            Notice.objects.count(),
        )

    before = counts()
    yield
    assert counts() == before


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_the_field_and_writes_nothing(case, nothing_written, file_request):
    fields, name = BAD[case]
    r = file_request(**fields)
    assert r.status_code == 400, (case, r.content)
    body = r.json()
    assert body["code"] == "validation_error" and name in body["fields"], (case, body)


def test_a_megabyte_body_is_refused(nothing_written, file_request, anon):
    big = file_request(text="包" * 1_000_000)
    assert big.status_code == 400 and "text" in big.json()["fields"]
    padded = file_request(padding="x" * 1_000_000)
    assert padded.status_code == 413 and padded.json()["code"] == "too_large"


def test_the_honeypot_refuses_a_script(nothing_written, file_request):
    r = file_request(website="http://spam.example")
    assert r.status_code == 400 and r.json()["code"] == "rejected"


def test_the_proof_of_work_is_required_checked_and_spent_once(org, file_request, anon, settings):
    with_nothing = file_request(pow={})
    assert with_nothing.status_code == 400 and "challenge" in with_nothing.json()["fields"]
    pow = solved(anon)
    wrong = file_request(pow={**pow, "solution": wrong_solution(pow["challenge"])})
    assert wrong.status_code == 400 and "challenge" in wrong.json()["fields"]
    forged = file_request(pow={**pow, "challenge": pow["challenge"][:-2] + "zz"})
    assert forged.status_code == 400 and "challenge" in forged.json()["fields"]
    assert WorkOrder.objects.count() == 0 and SpentChallenge.objects.count() == 0
    assert file_request(pow=pow).status_code == 201
    again = file_request(pow=pow, text="再次提交同一个表单内容")
    assert again.status_code == 400 and "challenge" in again.json()["fields"]
    assert WorkOrder.objects.count() == 1 and SpentChallenge.objects.count() == 1
    # production's difficulty: an unsolved challenge of 16 bits is refused
    settings.POSTDESK_PORTAL_POW_BITS = 16
    hard = anon.get("/api/v1/public/challenge").json()
    assert hard["bits"] == 16
    r = file_request(pow={"challenge": hard["challenge"], "solution": "0"})
    assert r.status_code == 400 and WorkOrder.objects.count() == 1


def test_an_expired_challenge_is_refused(org, file_request):
    import time

    from django.core import signing

    from postdesk.portal import challenge

    class TwoHoursAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 7200)

    issued = int(time.time()) - 7200
    token = TwoHoursAgo(salt=challenge.SALT).sign_object({"n": "0" * 24, "b": 8, "t": issued})
    pow = {"challenge": token, "solution": challenge.solve(token, 8)}
    with pytest.raises(challenge.ChallengeError, match="expired"):
        challenge.verify(token, pow["solution"])
    r = file_request(pow=pow)
    assert r.status_code == 400 and "challenge" in r.json()["fields"]
    assert WorkOrder.objects.count() == 0


def test_filing_is_limited_per_phone_and_per_address(org, file_request, settings):
    from django.test import Client

    settings.POSTDESK_PORTAL_FILE_PER_PHONE = 2
    settings.POSTDESK_PORTAL_FILE_PER_ADDRESS = 4  # every try counts, refused ones too
    here = Client(REMOTE_ADDR="10.0.0.7")
    assert file_request(client=here).status_code == 201
    assert file_request(client=here).status_code == 201
    third = file_request(client=here)
    assert third.status_code == 429 and int(third["Retry-After"]) > 0
    assert third.json()["code"] == "rate_limited"
    # the same phone from elsewhere is refused too; another phone from here still files
    assert file_request(client=Client(REMOTE_ADDR="10.0.0.8")).status_code == 429
    assert file_request(client=here, phone="13600001111").status_code == 201
    assert WorkOrder.objects.count() == 3
    # the address's own limit: a fifth try from here is refused, whatever the phone
    r = file_request(client=here, phone="13600002222")
    assert r.status_code == 429 and r["Retry-After"]
    assert WorkOrder.objects.count() == 3


def test_a_retry_with_the_same_idempotency_key_files_once(org, anon):
    import json

    body = json.dumps({**COMPLAINT, **solved(anon)})
    send = lambda: anon.post(  # noqa: E731
        "/api/v1/public/requests",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="f1e2d3c4-0000-4000-8000-000000000001",
    )
    first, second = send(), send()
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and WorkOrder.objects.count() == 1
