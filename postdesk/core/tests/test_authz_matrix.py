"""The authorization matrix: every operation of the OpenAPI document × every role, an
anonymous caller and a forged token, against `postdesk/api_access.py`.

- allowed → anything but 401/403 (the request is minimal: a 400, 404 or 409 is the
  operation's business, not its door);
- a refused role → 403 (404 on a scoped operation, whose object that role cannot see);
- anonymous or a forged token → 401 (a public operation: anything but 401/403);
- a scoped operation, called by a role that sees only part of the centre (a branch
  handler, a county bureau's agent and lead) on an object outside that part → 404.

The centre is the demo seed (the same as `make run`), loaded once for the module inside a
transaction that is rolled back at the end; each test runs in a savepoint of it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from postdesk.api import api
from postdesk.api_access import ACCESS, Access

ROLE_USERS = {
    "agent": "agent1",
    "lead": "lead1",
    "director": "director1",
    "handler": "branch1",
    "admin": "admin",
    "auditor": "auditor1",
}
# who sees only part of the centre, per role: called on an object outside that part
PART_SEERS = {"agent": "ra_agent1", "lead": "ra_lead1", "handler": "branch1"}
FORGED = "Token pd_forged0000000000000000000000000000000"


def _operations() -> list[tuple[str, str]]:
    document = api.get_openapi_schema()
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    ]


OPERATIONS = _operations()


def test_every_role_has_a_caller_in_the_matrix():
    from postdesk.org.models import Role

    assert set(ROLE_USERS) == {str(role) for role in Role}


def test_every_operation_is_declared_and_every_declaration_is_an_operation():
    keys = {f"{method} {path}" for method, path in OPERATIONS}
    assert sorted(keys - set(ACCESS)) == [], "declare these in postdesk/api_access.py"
    assert sorted(set(ACCESS) - keys) == [], "these declarations name no operation"


# --- the centre -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from postdesk.core.demo import demo_modules

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for module in demo_modules():
                if module.__name__ in LEFT_OUT:
                    continue
                if module.__name__ == "postdesk.quality.demo":
                    _calls_and_an_article()  # before quality's seed, which scores a call
                module.seed()
            yield _world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# the demo's knowledge base and call log take most of its time: one article and two
# answered calls of our own serve the matrix as well
LEFT_OUT = {"postdesk.knowledge.demo", "postdesk.calls.demo"}


def _calls_and_an_article() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from postdesk.calls.models import Call
    from postdesk.knowledge.markdown_io import ArticleData
    from postdesk.knowledge.services import article_save
    from postdesk.org.models import User

    agent = User.objects.get(username="agent1")
    start = timezone.now() - timedelta(hours=2)
    for n in (1, 2):
        Call.objects.create(
            call_id=f"matrix-{n}", direction="in", from_number="13805770000",
            caller_number="13805770000", agent=agent, agent_extension=agent.extension,
            started_at=start, answered_at=start + timedelta(seconds=10),
            ended_at=start + timedelta(seconds=100), wait_seconds=10, talk_seconds=90,
        )  # fmt: skip
    article_save(
        data=ArticleData(
            title="国内特快专递查询",
            category="业务/特快专递",
            visibility="public",
            effective_from=timezone.localdate() - timedelta(days=30),
            body="拨打 11185 查询邮件。",
        )
    )


def _post(client: Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, (url, response.content)
    return response.json()


def _world() -> dict[str, Any]:
    from postdesk.calls.models import Call
    from postdesk.core.services import api_token_create
    from postdesk.customers.models import Customer
    from postdesk.knowledge.models import Article
    from postdesk.notices.models import Notice
    from postdesk.notices.services import notice_issue
    from postdesk.org.models import Unit, User
    from postdesk.quality.models import Evaluation, Form
    from postdesk.quality.services import evaluation_create
    from postdesk.tracking.models import Event, ImportRun
    from postdesk.workorders.models import Tag, WorkOrder

    users = {u.username: u for u in User.objects.all()}
    tokens = {name: api_token_create(user=users[name], name="matrix") for name in users}

    def client(name: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Token {tokens[name]}")

    units = {u.code: u for u in Unit.objects.all()}
    own_customer, foreign_customer, other_customer = Customer.objects.order_by("pk")[:3]
    Customer.objects.filter(pk=own_customer.pk).update(unit=units["WZ-LC01"])
    Customer.objects.filter(pk=foreign_customer.pk).update(unit=units["WZ-LW01"])
    Customer.objects.filter(pk=other_customer.pk).update(unit=units["WZ-LC01"])
    foreign_notice = notice_issue(
        actor=users["agent1"], kind="redelivery", unit="WZ-LW01",
        waybill_no=Event.objects.first().waybill_no, phone="13805770000", name="张伟",
        text="矩阵测试",
    )  # fmt: skip
    form = Form.objects.filter(target="call", published_at__isnull=False).first()
    call, other_call = Call.objects.filter(agent__isnull=False, answered_at__isnull=False)[:2]
    Call.objects.filter(pk__in=[call.pk, other_call.pk]).update(agent=users["agent1"])
    answers = {
        q["key"]: True if q["kind"] == "yes_no" else q["max"]
        for section in form.sections
        for q in section["questions"]
    }
    Evaluation.objects.filter(call__in=[call, other_call]).delete()
    evaluation = evaluation_create(
        actor=users["lead2"], form=form, call_pk=call.pk, answers=answers
    )
    appealed = evaluation_create(
        actor=users["lead2"], form=form, call_pk=other_call.pk, answers=answers
    )
    appeal = f"/api/v1/quality/evaluations/{appealed.pk}/appeal/"
    _post(client("agent1"), appeal, {"reason": "已按知识库解答"})  # so that it can be decided
    handover = _post(client("agent2"), "/api/v1/handovers/", {"text": "交接：A03 耳麦坏了"})
    report = _post(
        client("agent1"),
        "/api/v1/internal-reports/",
        {"kind": "equipment_fault", "title": "耳麦无声", "text": "A03 坐席耳麦无声"},
    )
    pickup = WorkOrder.objects.get(type="pickup", handling_unit__code="WZ-LC01")
    return {
        "users": users,
        "tokens": tokens,
        "workorder": pickup.number,  # a handler sees a pickup's caller in full
        "workorder_foreign": WorkOrder.objects.get(handling_unit__code="WZ-LW01").number,
        "notice": Notice.objects.filter(unit__code="WZ-LC01").first().number,
        "notice_foreign": foreign_notice.number,
        "customer": own_customer.pk,
        "customer_foreign": foreign_customer.pk,
        "customer_other": other_customer.pk,  # merged into the first (it stays in scope)
        "report": report["number"],
        "handover": handover["id"],
        "form": form.pk,
        "evaluation": evaluation.pk,  # agent1's, open
        "evaluation_appealed": appealed.pk,  # agent1's, appealed
        "call": call.pk,
        "article": Article.objects.order_by("pk").first().pk,
        "run": ImportRun.objects.order_by("pk").first().pk,
        "waybill": Event.objects.order_by("pk").first().waybill_no,
        "public_ref": pickup.public_ref,
        "answers": answers,
        "tag": Tag.objects.filter(archived=False).order_by("pk").first().pk,  # a demo tag
    }


# --- requests -------------------------------------------------------------------------------
# path parameter -> world key; where a name means different objects, by the path's segment
PATH_VALUES: dict[str, str | dict[str, str]] = {
    "number": {"/workorders/": "workorder", "/notices/": "notice", "/internal-reports/": "report"},
    "pk": {
        "/handovers/": "handover",
        "/quality/forms/": "form",
        "/decide/": "evaluation_appealed",
        "/quality/evaluations/": "evaluation",
        "/quality/calibration/": "=1",
    },
    "customer_id": "customer",
    "export_id": "=1",  # none in the demo (404 for everyone)
    "task_id": "=1",  # no callback task in the demo: allowed roles find none (404)
    "article_id": "article",
    "run_id": "run",
    "waybill_no": "waybill",
    "waybill": "waybill",
    "reference": "public_ref",
    "action": "=no-such-action",  # who may do which action is the flow table's (tested there)
    "provider": "=aliyun",
    "token": "=cti_forged",
    "key": "=complaint_reply_rate",
    "month": "=2026-11",
    "version": "=1",
    "filter_id": "=999999",  # nobody's: 404 for every allowed caller
    "tag_id": "tag",
}
# query strings that let an allowed caller past parameter parsing (a refused one is
# refused before it); a heavy document asked for a month it refuses (13) stays cheap
QUERIES: dict[str, str] = {
    "GET /api/v1/reports/month.pdf": "month=2026-13",
    "GET /api/v1/reports/month.xlsx": "month=2026-13",
    "GET /api/v1/reports/delivery": "month=2026-11",
    "GET /api/v1/reports/delivery/rows": "month=2026-11",
    "GET /api/v1/reports/calls": "date=2026-11-02",
    "GET /api/v1/tracking/by-phone": "phone=13805770000",
    "GET /api/v1/workforce/erlang": "calls=100&interval_minutes=30&aht=180&target_sl=0.8"
    "&target_seconds=20&shrinkage=0.3",
}


def _form_body(w: dict[str, Any]) -> dict[str, Any]:
    question = {"key": "greeting", "text": "规范问候", "kind": "yes_no"}
    return {
        "name": "矩阵表",
        "target": "call",
        "sections": [{"title": "开场", "questions": [question]}],
    }


# JSON bodies valid enough that the role check is reached (a refused role would otherwise
# be stopped by validation, 400, first); a callable gets the world
BODIES: dict[str, Any] = {
    "POST /api/v1/workorders/": {
        "type": "query",
        "subtype": "",
        "title": "查询邮件",
        "description": "客户查询",
        "caller_phone": "13805770001",
    },
    "POST /api/v1/workorders/{number}/assign/": {"assignee": None},
    "POST /api/v1/workorders/bulk/": {
        "numbers": ["WO-NONE"],
        "action": "escalate",
        "payload": {"reason": "矩阵"},
    },
    "POST /api/v1/tags/": {"name": "矩阵", "colour": "blue"},
    "PATCH /api/v1/tags/{tag_id}": {"colour": "red"},
    "POST /api/v1/workorders/{number}/tags": lambda w: {"tag": w["tag"]},
    "PATCH /api/v1/customers/{customer_id}": {"name": "张三"},
    "POST /api/v1/customers/{customer_id}/merge": lambda w: {"other": w["customer_other"]},
    "POST /api/v1/callbacks/": {"reason": "other", "phone": "13900001111", "name": "王五"},
    "POST /api/v1/callbacks/{task_id}/attempts/": {"outcome": "no_answer"},
    "POST /api/v1/notices/": lambda w: {
        "kind": "redelivery",
        "unit": "WZ-LC01",
        "waybill_no": w["waybill"],
        "phone": "13805770002",
        "name": "李娜",
        "text": "再投",
    },
    "POST /api/v1/tracking/results": lambda w: {
        "waybill_no": w["waybill"],
        "result": "failed",
        "reason": "收件人不在",
    },
    "POST /api/v1/reports/archive": {"month": "2026-13"},
    "POST /api/v1/internal-reports/": {"kind": "equipment_fault", "title": "坏了", "text": "x"},
    "POST /api/v1/handovers/": {"text": "交接"},
    "POST /api/v1/handovers/{pk}/comments/": {"text": "已知悉"},
    "POST /api/v1/quality/forms/": _form_body,
    "PUT /api/v1/quality/forms/{pk}": _form_body,
    "POST /api/v1/quality/evaluations/": lambda w: {
        "form": w["form"],
        "call": w["call"],
        "answers": w["answers"],
    },
    "POST /api/v1/quality/evaluations/{pk}/appeal/": {"reason": "已按知识库解答"},
    "POST /api/v1/quality/evaluations/{pk}/decide/": {"upheld": True, "reason": "录音核实"},
    "POST /api/v1/quality/quotas/": {"month": "2026-11", "agent": "agent3", "calls": 5},
    "POST /api/v1/quality/samples/": {"month": "2026-11"},
    "POST /api/v1/quality/calibration/": lambda w: {
        "name": "校准",
        "form": w["form"],
        "raters": ["lead1", "lead2"],
        "calls": [w["call"]],
    },
    "POST /api/v1/quality/calibration/{pk}/evaluations/": lambda w: {
        "call": w["call"],
        "answers": w["answers"],
    },
}
MULTIPART: dict[str, dict[str, Any]] = {
    "POST /api/v1/tracking/imports": {"format": "csv"},
}


def _url(path: str, w: dict[str, Any], foreign: bool = False) -> str:
    values = {}
    for name in re.findall(r"{(\w+)}", path):
        source = PATH_VALUES.get(name)
        if isinstance(source, dict):
            source = next((key for part, key in source.items() if part in path), None)
        assert source is not None, f"the matrix has no value for {{{name}}} of {path}"
        if source.startswith("="):
            values[name] = source[1:]
        else:
            values[name] = w.get(f"{source}_foreign", w[source]) if foreign else w[source]
    return path.format(**values)


def _call(client: Client, method: str, path: str, w: dict[str, Any], foreign: bool = False):
    """The answer's status; what the call wrote is rolled back (each caller finds the same
    centre, whoever called before)."""
    with transaction.atomic():
        status = _send(client, method, path, w, foreign).status_code
        transaction.set_rollback(True)
    return status


def _send(client: Client, method: str, path: str, w: dict[str, Any], foreign: bool):
    key = f"{method} {path}"
    url = _url(path, w, foreign)
    if key in QUERIES:
        url += "?" + QUERIES[key]
    if method == "GET":
        return client.get(url)
    if key in MULTIPART:
        import io

        upload = io.BytesIO(b"waybill_no,event_code,event_time,office_code\n")
        upload.name = "events.csv"
        return client.post(url, {**MULTIPART[key], "file": upload})
    body = BODIES.get(key, {})
    body = body(w) if callable(body) else body
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def _expect(access: Access, role: str | None, status: int) -> str | None:
    """What is wrong with `status` for this caller, or None."""
    if access.allows(role):
        return None if status not in (401, 403) else "allowed, but refused"
    if role is None or access.kind == "integration":  # a staff token is no credential
        return None if status == 401 else "not authenticated: expected 401"
    expected = {403, 404} if access.scoped else {403}
    return None if status in expected else f"refused role: expected {sorted(expected)}"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_matrix(world, method, path):
    access = ACCESS.get(f"{method} {path}")
    if access is None:
        pytest.fail(f"{method} {path} is not declared in postdesk/api_access.py")
    callers: dict[str | None, Client] = {None: Client()}
    for role, username in ROLE_USERS.items():
        callers[role] = Client(HTTP_AUTHORIZATION=f"Token {world['tokens'][username]}")
    wrong = []
    for role, client in callers.items():
        status = _call(client, method, path, world)
        problem = _expect(access, role, status)
        if problem:
            wrong.append(f"{role or 'anonymous'} → {status}: {problem}")
    forged = _call(Client(HTTP_AUTHORIZATION=FORGED), method, path, world)
    problem = _expect(access, None, forged)
    if problem:
        wrong.append(f"forged token → {forged}: {problem}")
    if access.scoped:
        for role, username in PART_SEERS.items():
            if role in access.roles:
                client = Client(HTTP_AUTHORIZATION=f"Token {world['tokens'][username]}")
                status = _call(client, method, path, world, foreign=True)
                if status != 404:
                    wrong.append(f"{username} on an object outside their part → {status}")
    assert not wrong, f"{method} {path} ({access}):\n" + "\n".join(wrong)
