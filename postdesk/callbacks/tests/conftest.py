from __future__ import annotations

import json

import pytest


@pytest.fixture
def make_order(staff):
    """make_order(type="complaint", by="agent1", **fields) through the real service."""
    from postdesk.workorders.services import work_order_create

    def make(type: str = "complaint", by: str = "agent1", **fields):
        defaults = {
            "title": "包裹延误投诉",
            "description": "客户反映寄往杭州的包裹五天未到。",
            "caller_phone": "13812345678",
            "caller_name": "李四",
        }
        if type == "complaint":
            defaults["subtype"] = "delay"
        defaults.update(fields)
        return work_order_create(actor=staff[by], type=type, **defaults)

    return make


@pytest.fixture
def act(staff):
    from postdesk.workorders.services import work_order_act

    def do(order, username: str, action: str, **payload):
        return work_order_act(actor=staff[username], order=order, action=action, payload=payload)

    return do


@pytest.fixture
def task_for(staff):
    """task_for(by="agent1", **fields) -> a callback made by hand through the service."""
    from postdesk.callbacks.services import CallbackInput, callback_create

    def make(by: str = "agent1", **fields):
        data = {"reason": "other", "phone": "13900001111", "name": "王五", **fields}
        return callback_create(actor=staff[by], data=CallbackInput(**data))

    return make


@pytest.fixture
def api(api_for):
    """api("agent1").post(path, body) -> a JSON client for that user's token."""

    class Client:
        def __init__(self, username: str) -> None:
            self.client = api_for(username)

        def get(self, path, params=None):
            return self.client.get(path, params or {})

        def post(self, path, body=None):
            return self.client.post(path, json.dumps(body or {}), content_type="application/json")

    return Client


@pytest.fixture
def cti_token(db):
    from postdesk.calls.services import cti_token_create

    return cti_token_create(name="test pbx")[1]


@pytest.fixture(autouse=True)
def _fresh_caches():
    from postdesk.calls.services import extension_cache_clear
    from postdesk.workorders import sla

    extension_cache_clear()
    sla.invalidate()
    yield
    extension_cache_clear()
    sla.invalidate()
