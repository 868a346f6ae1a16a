from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")
NOV = datetime(2026, 11, 10, 10, 0, tzinfo=SH)

CALL_FORM = {
    "name": "来电质检表",
    "target": "call",
    "sections": [
        {
            "title": "开场",
            "questions": [
                {"key": "greet", "text": "问候并报工号", "kind": "yes_no", "weight": 2},
                {"key": "verify", "text": "核实来电人", "weight": 1, "allow_na": True},
            ],
        },
        {
            "title": "解答",
            "questions": [
                {
                    "key": "answer",
                    "text": "依知识库正确解答",
                    "kind": "scale",
                    "max": 4,
                    "weight": 3,
                },
                {"key": "secret", "text": "未泄露内部信息", "weight": 1, "fatal": True},
                {
                    "key": "phrases",
                    "text": "使用服务用语",
                    "kind": "scale",
                    "max": 5,
                    "weight": 2,
                    "critical": True,
                    "comment_required": True,
                },
            ],
        },
    ],
}
REPLY_FORM = {
    "name": "支局回复质检表",
    "target": "work_order",
    "branch_reply": True,
    "sections": [
        {
            "title": "回复",
            "questions": [
                {"key": "clear", "text": "回复清楚礼貌", "kind": "scale", "max": 2},
                {"key": "deadline", "text": "按时限回复", "weight": 2},
            ],
        }
    ],
}
FULL = {"greet": True, "verify": True, "answer": 4, "secret": True, "phrases": 5}


@pytest.fixture
def make_call(staff):
    from postdesk.calls.models import Call

    counter = iter(range(1, 10_000))

    def make(agent: str = "agent1", at: datetime = NOV, **fields):
        n = next(counter)
        user = staff[agent]
        return Call.objects.create(
            call_id=fields.pop("call_id", f"q{n}"),
            direction="in",
            started_at=at,
            answered_at=at + timedelta(seconds=5),
            ended_at=at + timedelta(seconds=125),
            talk_seconds=fields.pop("talk_seconds", 120.0),
            outcome="answered",
            agent=user,
            unit=user.unit,
            queue=fields.pop("queue", "general"),
            **fields,
        )

    return make


@pytest.fixture
def make_order(staff):
    from postdesk.workorders.models import WorkOrder
    from postdesk.workorders.services import work_order_act, work_order_create

    def make(by: str = "agent1", unit: str | None = "WZ-LC01", at: datetime = NOV, **fields):
        order = work_order_create(
            actor=staff[by],
            type=fields.pop("type", "complaint"),
            subtype=fields.pop("subtype", "delay"),
            title="包裹延误投诉",
            description="客户反映寄往杭州的包裹五天未到。",
            caller_phone="13812345678",
            **fields,
        )
        if unit:
            order = work_order_act(
                actor=staff[by], order=order, action="dispatch", payload={"unit": unit}
            )
        WorkOrder.objects.filter(pk=order.pk).update(created_at=at)
        order.refresh_from_db()
        return order

    return make


@pytest.fixture
def api(api_for):
    class Client:
        def __init__(self, username: str) -> None:
            self.client = api_for(username)

        def post(self, url, body=None):
            return self.client.post(url, body or {}, content_type="application/json")

        def put(self, url, body=None):
            return self.client.put(url, body or {}, content_type="application/json")

        def get(self, url, **params):
            return self.client.get(url, params)

    return Client


@pytest.fixture
def published(api):
    def make(body=CALL_FORM, by: str = "lead1") -> int:
        client = api(by)
        r = client.post("/api/v1/quality/forms/", body)
        assert r.status_code == 201, r.json()
        form = r.json()["id"]
        assert client.post(f"/api/v1/quality/forms/{form}/publish/").status_code == 200
        return form

    return make
