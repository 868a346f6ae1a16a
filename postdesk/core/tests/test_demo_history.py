"""`seed_demo` gives the demo centre six months of history ending today: run twice it
adds nothing, and the last six months' reports, trend chart and league tables have data."""

from __future__ import annotations

import io
import time
from datetime import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from postdesk.calls.models import Call
from postdesk.calls.selectors import call_metrics_for_days
from postdesk.core.periods import Month
from postdesk.org.models import User
from postdesk.quality.models import Evaluation
from postdesk.reports.league import agent_league, unit_league
from postdesk.reports.selectors import month_report, quality_targets, target_trend
from postdesk.workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("postdesk.")
    }


@pytest.fixture
def seeded() -> dict[str, int]:
    started = time.monotonic()
    call_command("seed_demo", stdout=io.StringIO())
    print(f"seed_demo with history: {time.monotonic() - started:.1f}s")  # shown, not asserted
    return row_counts()


def test_seed_demo_twice_adds_nothing_and_six_months_have_data(seeded):
    """One test (the seed is the cost): idempotent, the reports, the orders' lives."""
    call_command("seed_demo", stdout=io.StringIO())
    assert row_counts() == seeded
    assert WorkOrder.objects.filter(call_id__startswith="hist-").count() > 6 * 30 * 10
    assert Call.objects.filter(call_id__startswith="hist-").count() > 6 * 30 * 100
    the_last_six_months_have_reports_trend_and_league_rows()
    history_orders_carry_their_life()
    the_lists_first_page_shows_tags()


def the_last_six_months_have_reports_trend_and_league_rows() -> None:
    director = User.objects.get(username="director1")
    now = timezone.now()
    last = Month.current().shift(-1)
    for back in range(6):
        month = last.shift(-back)
        for target in quality_targets(user=director, month=month, as_of=now):
            assert target.denominator > 0, (month, target.key)
            assert target.value is not None and 0.5 < target.value <= 1.0, (month, target.key)
        report = month_report(user=director, month=month, as_of=now)
        assert sum(row["created"] for row in report["work_orders"]) > 200
        assert all(row["created"] > 0 for row in report["work_orders"]), month
        assert report["calls"] is not None
        calls = call_metrics_for_days(
            user=director, first=month.first_day, last=month.last_day, breakdowns=False
        )
        assert calls == report["calls"]
        assert units_with_rows(director, month, now) >= 5
        agents = agent_league(user=director, first=month, as_of=now)
        assert any(row["calls_answered"] for row in agents), month
        assert Evaluation.objects.filter(month=month.first_day).exists(), month
    trend = target_trend(user=director, month=last, as_of=now)
    assert len(trend["months"]) == 6
    for key, points in trend["series"].items():
        assert len(points) == 6 and all(p is not None for p in points), key


def history_orders_carry_their_life() -> None:
    complaints = WorkOrder.objects.filter(call_id__startswith="hist-", type="complaint")
    closed = complaints.filter(status="closed")
    assert closed.filter(replied_at__isnull=False, closed_at__isnull=False).count() > 100
    assert complaints.filter(breached=True).exists()
    assert complaints.filter(reopen_count=1).exists()
    assert complaints.exclude(ruling="").exists()
    assert closed.exclude(satisfaction="").exists()
    some = closed.filter(reopen_count=1).first()
    actions = list(
        WorkOrderEvent.objects.filter(order=some).order_by("at").values_list("action", flat=True)
    )
    assert actions[:4] == ["create", "dispatch", "accept", "feedback"]
    assert {"reply", "follow_up", "reopen", "close"} <= set(actions)
    # every order's number is unique and its day's counter is past it
    assert WorkOrder.objects.values("number").distinct().count() == WorkOrder.objects.count()


def the_lists_first_page_shows_tags() -> None:
    """Demo tags (标签) on the newest orders too, so `make run`'s list shows chips."""
    from postdesk.workorders.selectors import ListFilters, tags_of_orders, work_orders_list

    page = work_orders_list(user=User.objects.get(username="lead1"), filters=ListFilters())
    tagged = [pk for pk, tags in tags_of_orders(orders=page.results).items() if tags]
    assert len(tagged) >= 2, "no demo tags on the list's first page"


def units_with_rows(user: User, month: Month, now: datetime) -> int:
    return sum(1 for row in unit_league(user=user, first=month, as_of=now) if row["complaints"])
