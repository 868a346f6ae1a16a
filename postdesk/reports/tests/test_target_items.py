"""Every number explained: the items behind each target agree with its numerator and
denominator, say why each counts or not, keep to the reader's scope; the API and page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.reports.selectors import month_report
from postdesk.reports.target_items import TARGET_KEYS, reason_for, target_items
from postdesk.reports.tests.test_month_report import MONTH, four_target_month
from postdesk.workorders.tests.conftest import act, make_order  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _all_items(user, key, as_of):
    page, items = 1, []
    while True:
        result = target_items(user=user, key=key, month=MONTH, as_of=as_of, page=page, page_size=1)
        items += result.results
        if len(items) >= result.count:
            return result, items
        page += 1


def test_the_items_agree_with_every_targets_numerator_and_denominator(
    make_order,  # noqa: F811
    act,  # noqa: F811
    staff,
    tmp_path,
):
    four_target_month(make_order, act, tmp_path)
    as_of = timezone.now() + timedelta(days=1)
    for username in ("director1", "branch1", "branch2"):
        user = staff[username]
        targets = {
            t["key"]: t for t in month_report(user=user, month=MONTH, as_of=as_of)["targets"]
        }
        for key in TARGET_KEYS:
            result, items = _all_items(user, key, as_of)
            assert result.count == targets[key]["denominator"], (username, key)
            assert result.counting == targets[key]["numerator"], (username, key)
            assert sum(item.counts for item in items) == result.counting, (username, key)
            assert [item.counts for item in items] == sorted(item.counts for item in items)
    director = staff["director1"]
    _result, online = _all_items(director, "online_rate", as_of)
    assert {(i.ref, i.reason) for i in online} == {
        ("EA473124829CN", "online"),
        ("1234567890123", "no_result"),
    }
    _result, complaints = _all_items(director, "complaint_reply_rate", as_of)
    assert sorted(i.reason for i in complaints) == ["replied", "reply_not_yet_due"]
    # The open pickup is due within working hours of now, whatever day the test runs on.
    _result, notices = _all_items(director, "notification_feedback_rate", timezone.now())
    assert sorted(i.reason for i in notices) == ["fed_back", "feedback_not_yet_due"]
    later = timezone.now() + timedelta(days=20)
    _result, notices = _all_items(director, "notification_feedback_rate", later)
    assert sorted(i.reason for i in notices) == ["fed_back", "feedback_late"]
    against = target_items(
        user=director, key="online_rate", month=MONTH, as_of=as_of, against_only=True
    )
    assert [i.ref for i in against.results] == ["1234567890123"] and against.count == 2


def test_reasons_are_decided_from_the_facts():
    now = timezone.now()
    hour = timedelta(hours=1)
    assert reason_for("online_rate", counts=False, as_of=now) == "no_result"
    assert reason_for("online_rate", counts=False, as_of=now, recorded_at=now + hour) == (
        "after_as_of"
    )
    assert reason_for("timely_rate", counts=False, as_of=now, recorded_at=now - hour) == "late"
    assert reason_for("timely_rate", counts=True, as_of=now) == "in_time"
    assert reason_for("complaint_reply_rate", counts=False, as_of=now, due_at=now - hour) == (
        "reply_late"
    )
    assert reason_for("complaint_reply_rate", counts=False, as_of=now) == "reply_late"
    assert reason_for("notification_feedback_rate", counts=False, as_of=now, due_at=now + hour) == (
        "feedback_not_yet_due"
    )
    assert reason_for("notification_feedback_rate", counts=True, as_of=now) == "fed_back"


def test_the_api_answers_the_items_and_refuses_an_unknown_target_or_month(api_for):
    api = api_for("director1")
    body = api.get(f"/api/v1/reports/targets/complaint_reply_rate/items?month={MONTH}").json()
    assert set(body) == {"count", "counting", "page", "page_size", "results"}
    unknown = api.get(f"/api/v1/reports/targets/nope/items?month={MONTH}")
    assert unknown.status_code == 404 and unknown.json()["code"]
    bad = api.get("/api/v1/reports/targets/online_rate/items?month=2026-13")
    assert bad.status_code == 400 and "month" in bad.json()["fields"]


def test_the_page_lists_the_items_in_chinese(client_for, make_order):  # noqa: F811
    make_order()
    director = client_for("director1")
    body = director.get(f"/reports/targets/complaint_reply_rate/?month={MONTH}").content.decode()
    assert "服务投诉处理回复率" in body and "未答复" in body
    assert director.get("/reports/targets/nope/").status_code == 404
    assert client_for("agent1").get("/reports/targets/online_rate/").status_code == 404


def test_a_shortfall_inside_its_time_limit_is_in_progress_not_below_target():
    from postdesk.reports.selectors import Target

    def state(numerator, denominator, pending, target=1.0):
        return Target(
            "k",
            "k",
            numerator,
            denominator,
            None if not denominator else numerator / denominator,
            target,
            pending,
        ).state

    assert state(0, 0, 0) == "no_data"
    assert state(4, 4, 0) == "met"
    assert state(3, 4, 1) == "pending"  # the one unreplied is still inside its limit
    assert state(2, 4, 1) == "short"  # one is late: it can no longer be met
    assert state(95, 100, 1, target=0.96) == "pending" and state(94, 100, 1, 0.96) == "short"
    t = Target("k", "k", 2, 5, 0.4, 1.0, 2)
    assert (t.late, t.not_yet_due) == (1, 2)


def test_not_yet_due_and_late_agree_with_the_items_reasons(
    make_order,  # noqa: F811
    act,  # noqa: F811
    staff,
    tmp_path,
):
    four_target_month(make_order, act, tmp_path)
    director = staff["director1"]
    for as_of in (timezone.now(), timezone.now() + timedelta(days=20)):
        targets = {
            t["key"]: t for t in month_report(user=director, month=MONTH, as_of=as_of)["targets"]
        }
        for key in ("complaint_reply_rate", "notification_feedback_rate"):
            _result, items = _all_items(director, key, as_of)
            pending = sum(i.reason.endswith("_not_yet_due") for i in items)
            late = sum(i.reason.endswith("_late") for i in items)
            assert (targets[key]["not_yet_due"], targets[key]["late"]) == (pending, late), key
            expected = "pending" if pending and not late else "short" if late else "met"
            assert targets[key]["state"] == expected, (key, as_of)


def test_the_summary_files_paint_only_a_short_target_red():
    from django.utils import translation

    from postdesk.reports.layout import targets_block

    def row(label, **extra):
        base = {"label": label, "value": 0.5, "target": 1.0, "numerator": 1, "denominator": 2}
        return {**base, "met": False, **extra}

    stored_before_state = row("c")  # an archived summary from before `state` existed
    summary = {"targets": [row("a", state="short"), row("b", state="pending"), stored_before_state]}
    with translation.override("zh-hans"):
        block = targets_block(summary)
    assert block.flagged == {(0, 7), (2, 7)}
    assert [r[7] for r in block.rows] == ["未达标", "进行中", "未达标"]
