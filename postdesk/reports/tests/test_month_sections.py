"""The month summary's sections on a month built by hand: orders made through the real
service, then their timestamps, channels, rulings and satisfaction set to known values,
so every figure below is counted by hand from the set-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.core.periods import Month
from postdesk.org.models import Unit
from postdesk.reports.sections import percentile
from postdesk.reports.selectors import month_report
from postdesk.workorders.channels import channel_of
from postdesk.workorders.models import WorkOrder
from postdesk.workorders.tests.conftest import act, make_order  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
MONTH = Month.current()


def _set(order, **fields):
    WorkOrder.objects.filter(pk=order.pk).update(**fields)


@pytest.fixture
def hand_month(make_order, act, staff):  # noqa: F811
    lc = Unit.objects.get(code="WZ-LC01")
    start = MONTH.start + timedelta(hours=1)
    a = make_order(title="快递延误未到", description="包裹延误五天，快递员态度差", call_id="CALL-1")
    _set(
        a,
        created_at=start,
        replied_at=start + timedelta(hours=2),
        ruling="responsible",
        satisfaction="satisfied",
        handling_unit=lc,
    )
    b = make_order(subtype="loss", title="包裹丢失", description="包裹丢失，要求赔偿")
    _set(
        b,
        details={"channel": "web"},
        created_at=start,
        replied_at=start + timedelta(hours=10),
        ruling="not_responsible",
        satisfaction="dissatisfied",
        handling_unit=lc,
    )
    c = make_order("consultation", title="资费咨询", description="寄往上海的资费")
    _set(c, created_at=start, breached=True, handling_unit=lc)
    d = make_order(
        title="包裹延误",
        description="延误投诉",
        regulator_ref="12305-1",
        regulator_due_at=timezone.now() + timedelta(days=3),
    )
    _set(d, created_at=start, breached=True)
    old = make_order(title="上月的延误")  # last month: not in this month's sections
    _set(old, created_at=MONTH.start - timedelta(days=3), breached=True, handling_unit=lc)
    return {"a": a, "b": b, "c": c, "d": d}


def test_every_section_on_a_hand_built_month(hand_month, staff):
    as_of = timezone.now() + timedelta(hours=1)
    report = month_report(user=staff["director1"], month=MONTH, as_of=as_of)
    wo = report["work_order_breakdowns"]

    subtypes = {(r["type"], r["subtype"]): r for r in wo["by_subtype"]}
    assert subtypes[("complaint", "delay")]["created"] == 2
    assert subtypes[("complaint", "loss")]["created"] == 1
    assert subtypes[("consultation", "")]["overdue"] == 1
    assert subtypes[("complaint", "delay")]["open"] == 2  # nothing closed

    channels = {r["channel"]: r["created"] for r in wo["by_channel"]}
    assert channels == {"phone": 1, "web": 1, "sms": 0, "walk_in": 0, "regulator": 1, "other": 1}

    units = {r["unit"]: r for r in wo["by_unit"]}
    assert units["WZ-LC01"]["created"] == 3 and units["WZ-LC01"]["overdue"] == 1

    # replies after 2 h and 10 h: median 6 h, p90 = 2 + 0.9 * 8 = 9.2 h
    assert wo["reply_time"] == {"replied": 2, "median_hours": 6.0, "p90_hours": 9.2}

    complaints = report["complaints"]
    assert complaints["complaints"] == 3 and complaints["replied"] == 2
    rulings = {r["ruling"]: r["count"] for r in complaints["by_ruling"]}
    assert rulings == {"": 1, "responsible": 1, "not_responsible": 1}
    satisfaction = {r["satisfaction"]: r["count"] for r in complaints["by_satisfaction"]}
    assert satisfaction == {"": 1, "satisfied": 1, "dissatisfied": 1}

    causes = report["top_causes"]
    assert causes["by_subtype"][0] == {"subtype": "delay", "label": "延误", "count": 2}
    words = {w["word"]: w["count"] for w in causes["by_word"]}
    assert words["包裹延误"] == 2 and words["包裹丢失"] == 1

    overdue = report["most_overdue_units"]
    assert overdue[0]["unit"] == "WZ-LC01" and overdue[0]["overdue"] == 2  # c and last month's

    assert report["notices"]["issued"] == 0
    assert report["calls"] is not None and report["calls"]["offered"] == 0
    for target in report["targets"]:
        assert {"last_month", "last_year", "last_month_pct", "last_year_pct"} <= target.keys()
    reply = next(t for t in report["targets"] if t["key"] == "complaint_reply_rate")
    assert (reply["numerator"], reply["denominator"]) == (2, 3)
    assert reply["last_month"] == 0.0  # last month's one complaint has no reply


def test_the_page_and_api_show_the_sections(hand_month, client_for, api_for):
    body = api_for("director1").get(f"/api/v1/reports/month?month={MONTH}").json()
    assert body["work_order_breakdowns"]["reply_time"]["replied"] == 2
    page = client_for("director1").get(f"/reports/?month={MONTH}").content.decode()
    for text in ("按渠道", "回复用时", "判责", "投诉主要原因", "超时最多的单位"):
        assert text in page


def test_the_channel_rule():
    assert channel_of(details_channel="sms", regulator_ref="", call_id="x") == "sms"
    assert channel_of(details_channel="bogus", regulator_ref="R", call_id="x") == "regulator"
    assert channel_of(details_channel=None, regulator_ref="", call_id="x") == "phone"
    assert channel_of(details_channel=None, regulator_ref="", call_id="") == "other"


def test_percentile_matches_percentile_cont():
    assert percentile([], 0.5) is None
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([10.0, 0.0], 0.9) == pytest.approx(9.0)
