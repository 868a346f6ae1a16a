"""A background export through a real Celery worker on PostgreSQL and Redis: asked for
through the API, made by the worker (queue "reports") with the owner's scope and
language, polled to "done", downloaded by its owner and read back; 404 for anybody else."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import load_workbook

from postdesk.core.models import AccessLogEntry, Export

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_an_export_through_a_worker(celery_worker_factory, staff, api_for, settings, tmp_path):
    from postdesk.workorders.services import work_order_act, work_order_create

    settings.MEDIA_ROOT = tmp_path  # the worker writes where this process reads
    settings.BACKGROUND_MODE = "celery"
    worker = celery_worker_factory(MEDIA_ROOT=str(tmp_path))
    numbers = {}
    for n, unit in enumerate(["WZ-LC01", "WZ-LC01", "WZ-LW01"]):
        order = work_order_create(
            actor=staff["agent1"], type="complaint", subtype="delay", title=f"-第{n}条",
            caller_phone="13812345678", caller_name="王小明",
        )  # fmt: skip
        order = work_order_act(
            actor=staff["agent1"], order=order, action="dispatch", payload={"unit": unit}
        )
        numbers.setdefault(unit, []).append(order.number)

    branch = api_for("branch1")  # a 鹿城 handler: only their unit's orders
    r = branch.post(
        "/api/v1/exports/",
        {"list": "work_orders", "filters": {"type": "complaint"}, "format": "xlsx"},
        content_type="application/json",
    )
    assert r.status_code == 202
    export_id = r.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = branch.get(f"/api/v1/exports/{export_id}").json()
        if state["status"] in {"done", "failed"}:
            break
        time.sleep(0.3)
    assert state["status"] == "done", f"{state}\n{worker.output()}"
    assert (state["rows"], state["progress"]) == (2, 1.0)

    body = b"".join(branch.get(state["download"]).streaming_content)
    rows = list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "工单号"  # the owner's language, in the worker
    assert sorted(row[0] for row in rows[1:]) == sorted(numbers["WZ-LC01"])
    assert {row[5] for row in rows[1:]} == {"-第0条", "-第1条"}  # text, not formulas
    assert api_for("branch2").get(f"/api/v1/exports/{export_id}").status_code == 404
    assert api_for("branch2").get(state["download"]).status_code == 404
    assert Export.objects.get(pk=export_id).path.startswith(str(tmp_path))
    # a handler's export shows complaint callers masked, but is an export of the list
    assert AccessLogEntry.objects.filter(subject_id=f"export:{export_id}").count() == 1
