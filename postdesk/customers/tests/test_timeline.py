"""The customer's timeline: calls, work orders, notices and parcels, newest first, each
through its own app's scope (a branch handler sees only what reaches their unit)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from postdesk.calls.models import Call
from postdesk.customers.selectors import customer_timeline
from postdesk.notices.services import notice_issue
from postdesk.workorders.services import work_order_act, work_order_create

pytestmark = pytest.mark.django_db


def _import(tmp_path, lines):
    from postdesk.tracking.services import tracking_import

    path = tmp_path / "events.csv"
    header = (
        "waybill_no,event_time,event_code,office_code,office_name,"
        "recorded_at,operator,reason,signer,description\n"
    )
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return tracking_import(path=path)


@pytest.fixture
def history(people, staff, tmp_path):
    """张三's history: a call, an order dispatched to 鹿城支局 (naming a parcel), an order
    dispatched to 龙湾支局, a notice on the first order's number; 李四 has an order too."""
    lc = people["lc"]
    agent = staff["agent1"]
    now = timezone.now()
    call = Call.objects.create(
        call_id="tl-1",
        direction="in",
        from_number="+8613812345678",
        caller_number="+8613812345678",
        started_at=now - timedelta(days=3),
        answered_at=now - timedelta(days=3),
        outcome="answered",
        agent=agent,
        unit=agent.unit,
    )
    mine = work_order_create(
        actor=agent,
        type="tracing",
        title="查单：包裹五天未到",
        caller_phone="13812345678",
        waybill_no="EA473124829CN",
        customer_id=lc.pk,
        now=now - timedelta(days=2),
    )
    mine = work_order_act(actor=agent, order=mine, action="dispatch", payload={"unit": "WZ-LC01"})
    other = work_order_create(
        actor=agent,
        type="complaint",
        subtype="delay",
        title="投诉：投递员态度",
        description="客户反映投递员态度差。",
        customer_id=lc.pk,
        now=now - timedelta(days=1),
    )
    other = work_order_act(actor=agent, order=other, action="dispatch", payload={"unit": "WZ-LW01"})
    notice = notice_issue(
        actor=agent,
        kind="redelivery",
        unit="WZ-LC01",
        waybill_no="EA473124829CN",
        phone="13812345678",
        name="张三",
        address="五马街12号",
        work_order=mine,
    )
    work_order_create(
        actor=agent, type="consultation", title="咨询资费", caller_phone="13900001111"
    )
    out = (now - timedelta(hours=5)).isoformat()
    run = _import(
        tmp_path, [f"EA473124829CN,{out},OUT_FOR_DELIVERY,WZ-LC01,鹿城支局,{out},张三,,,"]
    )
    assert run.rejected == 0
    return {"call": call, "mine": mine, "other": other, "notice": notice}


def test_agent_sees_every_kind_newest_first(people, staff, history):
    total, items = customer_timeline(user=staff["agent1"], customer=people["lc"])
    kinds = [i.kind for i in items]
    assert total == 5 and sorted(kinds) == ["call", "notice", "parcel", "work_order", "work_order"]
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
    links = {i.kind: i.link for i in items}
    assert links["call"].startswith("/calls/log/?day=")
    assert f"/workorders/{history['other'].number}/" in [i.link for i in items]
    assert links["notice"] == f"/notices/{history['notice'].number}/"
    assert links["parcel"] == "/tracking/?q=EA473124829CN"
    call = next(i for i in items if i.kind == "call")
    assert "138****5678" in call.title and "13812345678" not in call.title
    # 李四's consultation is not on 张三's timeline
    assert not any("咨询资费" in i.title for i in items)


def test_pages_split_the_same_order(people, staff, history):
    total, first = customer_timeline(user=staff["agent1"], customer=people["lc"], page_size=2)
    _total, second = customer_timeline(
        user=staff["agent1"], customer=people["lc"], page=2, page_size=2
    )
    _total, third = customer_timeline(
        user=staff["agent1"], customer=people["lc"], page=3, page_size=2
    )
    _all, everything = customer_timeline(user=staff["agent1"], customer=people["lc"])
    assert total == 5 and len(first) == 2 and len(third) == 1
    assert first + second + third == everything


def test_branch_handler_sees_only_their_units_part(people, staff, history):
    total, items = customer_timeline(user=staff["branch1"], customer=people["lc"])
    titles = " ".join(i.title for i in items)
    assert history["mine"].number in titles
    assert history["other"].number not in titles  # dispatched to 龙湾支局
    assert "call" not in {i.kind for i in items}  # a handler sees only their own calls
    assert total == len(items)


def test_api_timeline_is_typed_and_scoped(people, api_for, history):
    body = api_for("agent1").get(f"/api/v1/customers/{people['lc'].pk}/timeline?page=1").json()
    assert body["count"] == 5
    assert set(body["results"][0]) == {"at", "kind", "title", "status", "link"}
    # 李四's card (龙湾支局) is outside branch1's scope: 404, not an empty list
    response = api_for("branch1").get(f"/api/v1/customers/{people['lw'].pk}/timeline")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_card_shows_the_timeline_in_chinese(people, client_for, history):
    html = client_for("agent1").get(f"/customers/{people['lc'].pk}/").content.decode()
    assert 'data-testid="timeline"' in html
    assert "年" in html and "月" in html  # local Chinese date format, not ISO
    assert "+00:00" not in html and "T0" not in html.split('data-testid="timeline"')[1][:2000]
    assert "13812345678" not in html
