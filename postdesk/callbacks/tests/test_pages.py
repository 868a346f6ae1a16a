"""The callback pages: the agent's list in Chinese, start a call, record the outcome, the
lead's reassignment; who may open them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.callbacks.models import CallbackTask

pytestmark = pytest.mark.django_db


def test_the_agents_list_in_chinese_mine_then_the_team(client_for, task_for):
    now = timezone.now()
    task_for(
        assignee="agent1",
        window_start=now - timedelta(hours=2),
        window_end=now - timedelta(hours=1),
    )
    task_for(by="lead1", reason="follow_up")
    page = client_for("agent1").get("/callbacks/").content.decode()
    assert "回电任务" in page and "我的" in page and "班组的" in page
    assert "已超时" in page or "超时" in page
    assert "回访到期" in page and "其他" in page
    assert "139****1111" in page and "13900001111" not in page
    assert page.index('data-testid="callbacks-mine"') < page.index('data-testid="callbacks-team"')
    assert "follow_up" not in page.split("<main")[-1].replace('value="follow_up"', "")


def test_start_shows_the_number_to_dial_and_the_outcome_is_recorded(client_for, task_for):
    task = task_for(assignee="agent1")
    client = client_for("agent1")
    page = client.post(f"/callbacks/{task.pk}/start/", {"version": task.version})
    assert page.status_code == 200
    assert 'href="tel:13900001111"' in page.content.decode()
    task.refresh_from_db()
    r = client.post(f"/callbacks/{task.pk}/attempt/", {"outcome": "reached", "note": "已告知"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    assert client.get(f"/callbacks/{task.pk}/start/").status_code == 302  # a GET: back


def test_a_bad_outcome_is_shown_beside_the_form(client_for, task_for):
    task = task_for(assignee="agent1")
    r = client_for("agent1").post(f"/callbacks/{task.pk}/attempt/", {"outcome": "x"})
    assert r.status_code == 400 and 'data-testid="error"' in r.content.decode()


def test_the_lead_reassigns_from_the_list(client_for, task_for, staff):
    task = task_for(by="lead1")
    client = client_for("lead1")
    assert f'data-testid="assign-{task.pk}"' in client.get("/callbacks/").content.decode()
    r = client.post(
        f"/callbacks/{task.pk}/assign/", {"assignee": "agent4", "version": task.version}
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.assignee == staff["agent4"]


def test_a_callback_by_hand_from_a_work_order(client_for, make_order):
    order = make_order(type="query", title="查询资费")
    client = client_for("agent1")
    page = client.get(f"/callbacks/new/?work_order={order.number}").content.decode()
    assert "13812345678" in page and order.number in page
    r = client.post(
        "/callbacks/new/",
        {
            "reason": "work_order_callback",
            "phone": "13812345678",
            "priority": "normal",
            "work_order": order.number,
        },
    )
    assert r.status_code == 302
    task = CallbackTask.objects.get()
    assert task.work_order == order and task.created_by.username == "agent1"


def test_who_may_open_the_pages(client_for, task_for):
    task = task_for()
    assert client_for("director1").get("/callbacks/").status_code == 200
    assert client_for("branch1").get("/callbacks/").status_code == 404
    assert client_for("branch1").get(f"/callbacks/{task.pk}/").status_code == 404
    assert client_for("director1").get("/callbacks/new/").status_code == 404
    assert client_for("ra_agent1").get(f"/callbacks/{task.pk}/").status_code == 404


def test_the_home_panel_the_workbench_and_the_work_order_link_here(
    client_for, task_for, make_order
):
    task_for(assignee="agent1")
    task_for(by="lead1")
    client = client_for("agent1")
    panel = client.get("/callbacks/panel/").content.decode()
    assert "我的待回电：1" in panel and "班组待领取：1" in panel
    home = client.get("/").content.decode()
    assert "/callbacks/panel/" in home
    assert 'href="/callbacks/"' in client.get("/calls/").content.decode()
    order = make_order(type="query", title="查询资费")
    page = client.get(f"/workorders/{order.number}/").content.decode()
    assert f'href="/callbacks/new/?work_order={order.number}"' in page
    assert client_for("branch1").get("/callbacks/panel/").status_code == 404
