"""Sampling quotas and the "always include" rules; calibration (blind, Fleiss' kappa);
the demo forms and the screen's suggestions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from postdesk.quality import suggestions
from postdesk.quality.models import Form, Quota, Sample
from postdesk.quality.tests.conftest import NOV
from postdesk.workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/quality"


def test_quotas_and_the_always_include_rules(api, make_call, make_order, staff):
    lead = api("lead1")
    for i in range(12):
        make_call("agent1", at=NOV + timedelta(hours=i))
    make_call("agent1", at=NOV - timedelta(days=30))  # October: not this month's
    make_call("agent1", at=NOV, queue="ems")
    # the call of a dissatisfied follow-up and a reopened complaint are always taken
    angry_call = make_call("agent1", at=NOV, call_id="angry-1")
    angry = make_order(unit="WZ-LC01", call_id="angry-1")
    WorkOrder.objects.filter(pk=angry.pk).update(satisfaction="dissatisfied")
    reopened = make_order(unit="WZ-LC01")
    WorkOrderEvent.objects.create(order=reopened, at=NOV, action="reopen", actor=staff["lead1"])
    plain = [make_order(unit="WZ-LC01") for _ in range(6)]
    assert (
        lead.post(
            f"{URL}/quotas/", {"month": "2026-11", "agent": "agent1", "calls": 3, "work_orders": 3}
        ).status_code
        == 200
    )
    assert (
        lead.post(
            f"{URL}/quotas/", {"month": "2026-11", "unit": "WZ-LC01", "work_orders": 2}
        ).status_code
        == 200
    )
    assert lead.post(f"{URL}/quotas/", {"month": "2026-11", "calls": 3}).status_code == 400
    r = lead.post(f"{URL}/samples/", {"month": "2026-11", "seed": "s1", "queue": "general"})
    assert r.status_code == 201, r.json()
    rows = r.json()
    calls = [s for s in rows if s["call"] and s["agent"] == "agent1"]
    assert len(calls) == 3 and calls[0] == {
        "call": angry_call.pk,
        "work_order": None,
        "agent": "agent1",
        "unit": None,
        "inspector": "lead1",
        "reason": "dissatisfied",
    }
    orders = [s for s in rows if s["work_order"] and s["agent"] == "agent1"]
    assert len(orders) == 3
    assert {s["work_order"]: s["reason"] for s in orders if s["reason"] != "random"} == {
        angry.number: "dissatisfied",
        reopened.number: "reopened",
    }
    unit_rows = [s for s in rows if s["unit"] == "WZ-LC01"]
    # the quota is 2 and both must-items are in: nothing random left
    assert sorted(s["work_order"] for s in unit_rows) == sorted([angry.number, reopened.number])
    # reproducible, and a redraw replaces the undone samples
    again = lead.post(f"{URL}/samples/", {"month": "2026-11", "seed": "s1", "queue": "general"})
    assert again.json() == rows and Sample.objects.count() == len(rows)
    # filters: the ems queue has one call of agent1 this month
    ems = lead.post(f"{URL}/samples/", {"month": "2026-11", "queue": "ems"}).json()
    assert len([s for s in ems if s["call"]]) == 1
    assert [s["call"] for s in lead.get(f"{URL}/samples/", month="2026-11").json() if s["call"]]
    assert all(p.number for p in plain)
    # by intake channel (derived: `workorders.channels.channel_of`): two orders came by web
    for order in plain[:2]:
        WorkOrder.objects.filter(pk=order.pk).update(details={"channel": "web"})
    web = lead.post(f"{URL}/samples/", {"month": "2026-11", "channel": "web"}).json()
    assert {s["work_order"] for s in web if s["work_order"]} == {p.number for p in plain[:2]}
    phone = lead.post(f"{URL}/samples/", {"month": "2026-11", "channel": "phone"}).json()
    assert {s["work_order"] for s in phone if s["work_order"]} == {angry.number}  # its call
    bad = lead.post(f"{URL}/samples/", {"month": "2026-11", "channel": "fax"})
    assert bad.status_code == 400 and "channel" in bad.json()["fields"]
    assert api("agent1").post(f"{URL}/samples/", {"month": "2026-11"}).status_code == 403


def test_calibration_blind_scores_and_kappa(api, published, make_call):
    form = published()
    calls = [make_call("agent1").pk for _ in range(3)]
    lead = api("lead1")
    r = lead.post(
        f"{URL}/calibration/",
        {
            "name": "11月校准",
            "form": form,
            "raters": ["lead1", "lead2", "director1"],
            "calls": calls,
        },
    )
    assert r.status_code == 201, r.json()
    cid = r.json()["id"]
    assert r.json()["kappa"] is None and r.json()["items"] == 0
    full = {"greet": True, "verify": True, "answer": 4, "secret": True, "phrases": 5}
    # greet: all agree on every call; answer: raters disagree on the third call
    answers = {
        "lead1": [full, full, {**full, "answer": 2}],
        "lead2": [full, full, {**full, "answer": 3}],
        "director1": [full, full, {**full, "answer": 4}],
    }
    for rater, rows in answers.items():
        for call, a in zip(calls, rows, strict=True):
            r = api(rater).post(
                f"{URL}/calibration/{cid}/evaluations/", {"call": call, "answers": a}
            )
            assert r.status_code == 201, r.json()
    # a second blind score by the same rater is refused; so is a non-rater, and an item not in it
    assert (
        lead.post(
            f"{URL}/calibration/{cid}/evaluations/", {"call": calls[0], "answers": full}
        ).status_code
        == 409
    )
    assert (
        api("ra_lead1")
        .post(f"{URL}/calibration/{cid}/evaluations/", {"call": calls[0], "answers": full})
        .status_code
        == 403
    )
    other = make_call("agent1").pk
    assert (
        lead.post(
            f"{URL}/calibration/{cid}/evaluations/", {"call": other, "answers": full}
        ).status_code
        == 400
    )
    result = lead.get(f"{URL}/calibration/{cid}").json()
    assert result["items"] == 3 and result["raters"] == 3 and result["complete_items"] == 3
    per = {q["key"]: q for q in result["per_question"]}
    assert per["greet"]["spread"] == 0 and per["greet"]["kappa"] == 1.0
    assert per["answer"]["spread"] == 0.5
    # answer: rows [[3 x "4"], [3 x "4"], [2, 3, 4 once each]] -> P = (1 + 1 + 0) / 3,
    # p = (1/9, 1/9, 7/9), Pe = 51/81; kappa = (2/3 - 51/81) / (30/81) = 0.1
    assert per["answer"]["kappa"] == pytest.approx(0.1)
    # calibration scores stay out of the agent's evaluations and scorecards
    assert api("agent1").get(f"{URL}/evaluations/").json() == []
    assert api("agent1").get(f"{URL}/calibration/{cid}").status_code == 403


def test_the_demo_forms_are_published_and_score(org, api, make_call):
    from postdesk.quality import demo

    demo.seed()
    demo.seed()  # idempotent
    call_form = Form.objects.get(target="call")
    assert Form.objects.count() == 2 and call_form.published_at is not None
    assert Quota.objects.filter(agent__username="agent1").get().calls == 10
    keys = [q["key"] for s in call_form.sections for q in s["questions"]]
    answers = dict.fromkeys(keys, True) | {
        "correct_answer": 4,
        "complete_intake": 3,
        "service_phrases": 5,
    }
    r = api("lead1").post(
        f"{URL}/evaluations/", {"form": call_form.pk, "call": make_call().pk, "answers": answers}
    )
    assert r.status_code == 201 and r.json()["score"] == "100.00"


def test_suggestions():
    assert suggestions.forbidden_hits(["您好，这个我也不知道，你自己去查", ""]) == [
        "不知道",
        "你自己去查",
    ]
    assert suggestions.forbidden_hits(["您好，请稍等，我帮您查询"]) == []
    assert suggestions.deadline_kept(due_at=None, done_at=None, now=NOV) is None
    assert suggestions.deadline_kept(due_at=NOV, done_at=NOV, now=NOV + timedelta(days=3))
    assert not suggestions.deadline_kept(due_at=NOV, done_at=NOV + timedelta(seconds=1), now=NOV)
    assert not suggestions.deadline_kept(due_at=NOV, done_at=None, now=NOV + timedelta(hours=1))
    assert suggestions.prefill(["no_forbidden_phrases", "x"], hits=["不知道"], kept=True) == {
        "no_forbidden_phrases": False
    }
    assert suggestions.prefill(["deadline_kept"], hits=None, kept=None) == {}
    assert suggestions.prefill(["deadline_kept"], hits=[], kept=True) == {"deadline_kept": True}
