from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_sla_cache():
    from postdesk.workorders import sla

    sla.invalidate()
    yield
    sla.invalidate()


@pytest.fixture
def make_order(staff):
    """make_order(type="complaint", by="agent1", **fields) through the real service."""
    from postdesk.workorders.services import work_order_create

    def make(type: str = "complaint", by: str = "agent1", **fields):
        defaults = {
            "title": "包裹延误投诉",
            "description": "客户反映寄往杭州的包裹五天未到。",
            "caller_phone": "13812345678",
        }
        if type == "complaint":
            defaults["subtype"] = "delay"
        if type == "tracing":
            defaults["waybill_no"] = "EA473124829CN"
        defaults.update(fields)
        return work_order_create(actor=staff[by], type=type, **defaults)

    return make


@pytest.fixture
def act(staff):
    from postdesk.workorders.services import work_order_act

    def do(order, username: str, action: str, **payload):
        return work_order_act(actor=staff[username], order=order, action=action, payload=payload)

    return do
