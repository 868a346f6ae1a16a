"""Unanswered calls belong to the unit answering their queue (`CallQueue`)."""

from __future__ import annotations

import pytest

from postdesk.calls.models import Call, CallQueue
from postdesk.calls.selectors import calls_visible
from postdesk.calls.tests.helpers import post_event, ts

pytestmark = pytest.mark.django_db


def _ring(cti, token, call_id, queue):
    response = post_event(
        cti,
        token,
        event="newCall",
        call_id=call_id,
        timestamp=ts(0),
        direction="in",
        from_="13812345678",
        to="11185",
        queue=queue,
    )
    assert response.status_code == 200


def test_a_county_centre_sees_the_unanswered_calls_of_its_own_queue_only(cti, cti_token, org):
    from postdesk.org.models import User

    CallQueue.objects.create(code="11185-RA", unit=org["RA"])
    county_lead = User.objects.create_user(username="ra-lead", role="lead", unit=org["RA"])
    city_lead = User.objects.get(username="lead1")
    _ring(cti, cti_token, "q-ra", "11185-RA")
    _ring(cti, cti_token, "q-city", "11185")
    assert Call.objects.get(call_id="q-ra").unit == org["RA"]
    assert Call.objects.get(call_id="q-city").unit is None

    assert set(calls_visible(user=county_lead).values_list("call_id", flat=True)) == {"q-ra"}
    assert set(calls_visible(user=city_lead).values_list("call_id", flat=True)) == {
        "q-ra",
        "q-city",
    }


def test_the_queue_map_is_read_when_the_call_is_rebuilt(cti, cti_token, org):
    from postdesk.calls.services import extension_cache_clear

    _ring(cti, cti_token, "q-late", "11185-YQ")
    assert Call.objects.get(call_id="q-late").unit is None
    CallQueue.objects.create(code="11185-YQ", unit=org["YQ"])
    extension_cache_clear()  # the map is cached for half a minute in each process
    post_event(cti, cti_token, event="hangup", call_id="q-late", timestamp=ts(30))
    assert Call.objects.get(call_id="q-late").unit == org["YQ"]
