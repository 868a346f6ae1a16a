"""`portal.middleware.PublicReadMiddleware` (tracking and following's hot path) answers
byte for byte, header for header, what the whole stack and the API view answer: found,
not found, malformed, rate-limited, in Chinese and in English."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import resolve
from django.utils import timezone

from postdesk.portal import middleware
from postdesk.tracking.models import Event
from postdesk.workorders.public_ref import format_public_ref

pytestmark = pytest.mark.django_db

FAST = "postdesk.portal.middleware.PublicReadMiddleware"
WAYBILL = "EA473124829CN"


def _stack_only():
    return override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != FAST])


def _both(path: str, query: dict[str, str] | None = None, **extra: str):
    """(the hot path's answer, the stack's answer) to the same GET."""
    fast = Client(**extra).get(path, query or {})
    assert fast.wsgi_request.metrics_route in middleware.ROUTES.values() or fast.status_code == 404
    with _stack_only():
        slow = Client(**extra).get(path, query or {})
    assert getattr(slow.wsgi_request, "metrics_route", None) is None  # not the hot path
    return fast, slow


def _same(fast, slow) -> None:
    assert fast.status_code == slow.status_code
    assert fast.content == slow.content
    assert dict(fast.headers.items()) == dict(slow.headers.items())


@pytest.fixture
def parcel(db):
    t0 = timezone.now() - timedelta(days=1)
    for i, (code, reason) in enumerate(
        [("ACCEPTED", ""), ("DELIVERY_FAILED", "收件人不在"), ("DELIVERED", "")]
    ):
        Event.objects.create(
            waybill_no=WAYBILL, event_code=code, event_time=t0 + timedelta(hours=i),
            office_code=f"OF{i}", office_name="温州鹿城揽投部", reason=reason,
            recorded_at=t0 + timedelta(hours=i, minutes=1), operator="投递员王小明",
        )  # fmt: skip
    return WAYBILL


def test_track_answers_what_the_stack_answers(parcel):
    cases = [
        (f"/api/v1/public/track/{parcel.lower()}", {}),  # found, normalised
        ("/api/v1/public/track/EA000000000CN", {}),  # valid, nothing known yet
        ("/api/v1/public/track/EA473124828CN", {}),  # wrong check digit: 400
        ("/api/v1/public/track/运单", {}),  # garbage: 400
        ("/api/v1/public/track/" + "x" * 300, {}),
    ]
    for path, extra in cases:
        for language in ({"HTTP_ACCEPT_LANGUAGE": "zh-hans"}, {"HTTP_ACCEPT_LANGUAGE": "en"}, {}):
            fast, slow = _both(path, **extra, **language)
            _same(fast, slow)
    fast, _ = _both(f"/api/v1/public/track/{parcel}", HTTP_ACCEPT_LANGUAGE="en")
    assert fast.status_code == 200 and fast["Content-Language"] == "en"
    assert [e["label"] for e in fast.json()["events"]][1] == "Not delivered (收件人不在)"
    assert "王小明" not in fast.content.decode()


def test_follow_answers_what_the_stack_answers(make_order, act):
    order = make_order()
    order = act(order, "agent1", "dispatch", unit="WZ-LC01")
    order = act(order, "branch1", "accept")
    order = act(order, "branch1", "feedback", text="内部反馈", ruling="partly")
    order = act(order, "agent1", "reply", text="您好，已安排投递。")
    ref = format_public_ref(order.public_ref)
    url = f"/api/v1/public/requests/{ref}"
    for query, extra in [
        ({"phone_last4": "5678"}, {"HTTP_ACCEPT_LANGUAGE": "en"}),
        ({"phone_last4": "5678"}, {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=en"}),
        ({"phone_last4": "5678"}, {"REMOTE_ADDR": "10.1.1.1"}),
    ]:
        fast, slow = _both(url.lower(), query, **extra)
        _same(fast, slow)
        assert fast.status_code == 200 and fast.json()["reply"] == "您好，已安排投递。"
    # wrong digits, an unknown reference, no digits: the same 404 (each counted once per try)
    for path, query in [
        (url, {"phone_last4": "0000"}),
        ("/api/v1/public/requests/ZZZZ-ZZZZ", {"phone_last4": "5678"}),
        (url, {}),
    ]:
        fast, slow = _both(path, query, REMOTE_ADDR="10.2.2.2")
        _same(fast, slow)
        assert fast.status_code == 404
    # 4 wrong tries for this reference so far (wrong digits and none, both ways): the 5th
    assert Client().get(url, {"phone_last4": "1111"}).status_code == 404
    fast, slow = _both(url, {"phone_last4": "5678"}, REMOTE_ADDR="10.3.3.3")
    assert fast.status_code == slow.status_code == 429
    assert abs(int(fast["Retry-After"]) - int(slow["Retry-After"])) <= 1
    assert fast.json() == slow.json() and fast.json()["code"] == "rate_limited"


def test_other_requests_go_down_the_stack(anon):
    for path in ("/api/v1/public/track/", "/api/v1/public/track/EA473124829CN/x",
                 "/api/v1/public/requests/", "/api/v1/public/kb/search"):  # fmt: skip
        r = anon.get(path)
        assert getattr(r.wsgi_request, "metrics_route", None) is None, path
    r = anon.post("/api/v1/public/track/EA473124829CN")  # not a GET: the API's 405
    assert r.status_code == 405 and getattr(r.wsgi_request, "metrics_route", None) is None
    bad_host = Client(HTTP_HOST="evil.example").get("/api/v1/public/track/EA473124829CN")
    assert bad_host.status_code == 400


def test_the_metrics_routes_are_the_api_patterns():
    for prefix, route in middleware.ROUTES.items():
        assert "/" + resolve(prefix + "K7QM-3XPR").route == route


def test_the_plain_statements_read_what_the_querysets_read(parcel, make_order, act):
    from postdesk.portal import public_sql
    from postdesk.workorders.models import WorkOrder, WorkOrderEvent

    Event.objects.create(
        waybill_no=WAYBILL, event_code="INFO", event_time=timezone.now() - timedelta(days=2),
        office_code="OFX", recorded_at=timezone.now(),
    )  # fmt: skip  # out of order, no office name
    tracked = (
        Event.objects.filter(waybill_no=WAYBILL)
        .order_by("event_time", "id")
        .values_list("event_time", "event_code", "office_name", "reason")[:200]
    )
    assert public_sql.track_rows(WAYBILL) == list(tracked) and len(tracked) == 4
    assert public_sql.track_rows("EA000000000CN") == []

    order = act(make_order(), "agent1", "dispatch", unit="WZ-LC01")
    WorkOrderEvent.objects.create(
        order=order, action="follow_up", at=timezone.now(), data={"source": "portal"}
    )
    row = WorkOrder.objects.filter(public_ref=order.public_ref)
    assert public_sql.order_row(order.public_ref) == row.values_list(*public_sql.ORDER_FIELDS)[0]
    assert public_sql.order_row("ZZZZZZZZ") is None
    steps = (
        WorkOrderEvent.objects.filter(order_id=order.pk)
        .order_by("at", "id")
        .values_list(*public_sql.STEP_FIELDS, "unit__name")
    )
    assert public_sql.step_rows(order.pk) == list(steps)
    assert [s[1] for s in steps] == ["create", "dispatch", "follow_up"]
    assert steps[1][6] and steps[0][6] is None and steps[2][5] == {"source": "portal"}
    assert all(s[0].tzinfo is not None for s in public_sql.step_rows(order.pk))
