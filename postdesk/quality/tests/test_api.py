"""/api/v1/quality/: forms, evaluations, bad input, appeal once, scope, scorecards."""

from __future__ import annotations

import pytest

from postdesk.quality.models import Appeal, Evaluation, Form
from postdesk.quality.tests.conftest import CALL_FORM, FULL, REPLY_FORM

pytestmark = pytest.mark.django_db
URL = "/api/v1/quality"


def evaluate(client, form, answers=None, comments=None, **item):
    return client.post(
        f"{URL}/evaluations/",
        {"form": form, "answers": {**FULL, **(answers or {})}, "comments": comments or {}, **item},
    )


def test_create_form_answers_201_with_id_and_version_and_publish_freezes(api):
    lead = api("lead1")
    r = lead.post(f"{URL}/forms/", CALL_FORM)
    assert r.status_code == 201 and r.json()["version"] == 1
    form = r.json()["id"]
    assert lead.post(f"{URL}/forms/{form}/publish/").json() == {"id": form, "version": 1}
    edited = {**CALL_FORM, "name": "来电质检表（修订）"}
    r = lead.put(f"{URL}/forms/{form}", edited)
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["id"] != form
    assert Form.objects.get(pk=form).name == "来电质检表"  # the published version is frozen
    assert Form.objects.get(pk=r.json()["id"]).family == form


def test_agents_cannot_create_forms_and_bad_forms_are_400(api):
    assert api("agent1").post(f"{URL}/forms/", CALL_FORM).status_code == 403
    r = api("lead1").post(f"{URL}/forms/", {**CALL_FORM, "target": "sms"})
    assert r.status_code == 400 and "target" in r.json()["fields"]
    dup = {
        **CALL_FORM,
        "sections": [{"title": "x", "questions": [{"key": "a", "text": "a"}] * 2}],
    }
    r = api("lead1").post(f"{URL}/forms/", dup)
    assert r.status_code == 400 and "sections.0.questions.1.key" in r.json()["fields"]
    assert not Form.objects.exists()


def test_evaluate_a_call_scores_by_the_fixed_rule(api, published, make_call, staff):
    form = published()
    call = make_call("agent1")
    r = evaluate(
        api("lead1"),
        form,
        {"greet": False, "answer": 3, "phrases": 4},
        {"phrases": "未使用“请稍等”"},
        call=call.pk,
    )
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["score"] == "65.00" and data["fatal_failed"] is False
    assert data["sections"] == [
        {"title": "开场", "score": "33.33"},
        {"title": "解答", "score": "80.83"},
    ]
    assert data["critical_failed"] == ["phrases"] and data["agent"] == "agent1"
    assert data["month"] == "2026-11"
    r = evaluate(api("lead1"), form, {"secret": False}, call=call.pk)
    assert r.json()["score"] == "0.00" and r.json()["fatal_failed"] is True


@pytest.mark.parametrize(
    ("answers", "comments", "field"),
    [
        ({"extra": True}, {}, "answers.extra"),
        ({"answer": 9}, {}, "answers.answer"),
        ({"greet": "na"}, {}, "answers.greet"),
        ({"phrases": 3}, {}, "comments.phrases"),
    ],
)
def test_bad_answers_are_400_naming_the_field_and_nothing_is_written(
    api, published, make_call, answers, comments, field
):
    form = published()
    r = evaluate(api("lead1"), form, answers, comments, call=make_call().pk)
    assert r.status_code == 400 and field in r.json()["fields"], r.json()
    assert r.json()["code"] == "validation_error"
    assert not Evaluation.objects.exists()


def test_unpublished_form_wrong_item_and_out_of_scope_are_refused(api, make_call, published):
    lead = api("lead1")
    draft = lead.post(f"{URL}/forms/", CALL_FORM).json()["id"]
    call = make_call("agent1")
    assert evaluate(lead, draft, call=call.pk).status_code == 400
    form = published()
    assert evaluate(lead, form, work_order="GD0001").status_code == 400
    # 朱班长 of 瑞安 sees only 瑞安: 温州's call is outside his scope
    r = evaluate(api("ra_lead1"), form, call=call.pk)
    assert r.status_code == 404
    assert evaluate(api("agent2"), form, call=call.pk).status_code == 403
    assert not Evaluation.objects.exists()


def test_appeal_once_and_a_director_decides(api, published, make_call):
    form = published()
    call = make_call("agent1")
    eid = evaluate(api("lead1"), form, {"answer": 2}, call=call.pk).json()["id"]
    assert (
        api("agent2").post(f"{URL}/evaluations/{eid}/appeal/", {"reason": "x"}).status_code == 404
    )
    agent = api("agent1")
    assert agent.post(f"{URL}/evaluations/{eid}/appeal/", {"reason": " "}).status_code == 400
    r = agent.post(f"{URL}/evaluations/{eid}/appeal/", {"reason": "已按知识库解答"})
    assert r.status_code == 201 and r.json()["status"] == "appealed"
    r = agent.post(f"{URL}/evaluations/{eid}/appeal/", {"reason": "再次申诉"})
    assert r.status_code == 409 and r.json()["code"] == "already_appealed"
    assert Appeal.objects.count() == 1
    # the inspector may not decide their own; the agent neither
    assert (
        api("lead1")
        .post(f"{URL}/evaluations/{eid}/decide/", {"upheld": True, "reason": "x"})
        .status_code
        == 403
    )
    director = api("director1")
    r = director.post(
        f"{URL}/evaluations/{eid}/decide/", {"upheld": False, "reason": "录音核实无误"}
    )
    assert r.status_code == 400 and "score" in r.json()["fields"]
    r = director.post(
        f"{URL}/evaluations/{eid}/decide/",
        {"upheld": False, "score": "95", "reason": "录音核实无误"},
    )
    assert r.status_code == 200, r.json()
    assert r.json() == {
        "evaluation": eid,
        "status": "overturned",
        "reason": "已按知识库解答",
        "upheld": False,
        "decision_reason": "录音核实无误",
        "score": "95.00",
    }
    e = Evaluation.objects.get(pk=eid)
    assert str(e.original_score) == "83.33" and str(e.score) == "95.00"
    # decided: no second decision, no further appeal
    assert (
        director.post(
            f"{URL}/evaluations/{eid}/decide/", {"upheld": True, "reason": "x"}
        ).status_code
        == 403
    )
    assert agent.post(f"{URL}/evaluations/{eid}/appeal/", {"reason": "x"}).status_code == 409


def test_another_lead_decides_and_upholds(api, published, make_call):
    form = published()
    eid = evaluate(api("lead1"), form, {"answer": 2}, call=make_call().pk).json()["id"]
    api("agent1").post(f"{URL}/evaluations/{eid}/acknowledge/")
    api("agent1").post(f"{URL}/evaluations/{eid}/appeal/", {"reason": "不认可"})
    r = api("lead2").post(f"{URL}/evaluations/{eid}/decide/", {"upheld": True, "reason": "维持"})
    assert r.status_code == 200 and r.json()["status"] == "upheld" and r.json()["score"] == "83.33"


def test_a_branch_handler_sees_only_their_units_evaluations(api, published, make_order):
    form = published(REPLY_FORM)
    lc = make_order(unit="WZ-LC01")
    lw = make_order(unit="WZ-LW01")
    lead = api("lead1")
    a = lead.post(
        f"{URL}/evaluations/",
        {"form": form, "work_order": lc.number, "answers": {"clear": 1, "deadline": True}},
    )
    assert a.status_code == 201, a.json()
    assert a.json()["unit"] == "WZ-LC01" and a.json()["agent"] == "agent1"
    assert a.json()["score"] == "83.33"  # (1/2 + 2) of 3
    b = lead.post(
        f"{URL}/evaluations/",
        {"form": form, "work_order": lw.number, "answers": {"clear": 2, "deadline": False}},
    )
    branch1 = api("branch1")
    assert [e["id"] for e in branch1.get(f"{URL}/evaluations/").json()] == [a.json()["id"]]
    assert branch1.get(f"{URL}/evaluations/{b.json()['id']}").status_code == 404
    assert api("agent2").get(f"{URL}/evaluations/").json() == []
    assert len(api("agent1").get(f"{URL}/evaluations/").json()) == 2  # the first-contact owner
    # the handler may appeal their unit's, not the other's
    assert (
        branch1.post(
            f"{URL}/evaluations/{a.json()['id']}/appeal/", {"reason": "已按时回复"}
        ).status_code
        == 201
    )
    cards = branch1.get(f"{URL}/scorecards", month="2026-11").json()["results"]
    assert [(c["unit"], c["evaluated"], c["average"]) for c in cards] == [("WZ-LC01", 1, "83.33")]


def test_scorecards_per_agent_and_per_unit(api, published, make_call, make_order):
    form = published()
    lead = api("lead1")
    for answers in ({}, {"answer": 2}, {"secret": False}):
        evaluate(lead, form, answers, call=make_call("agent1").pk)
    evaluate(lead, form, {"greet": False}, call=make_call("agent2").pk)
    cards = lead.get(f"{URL}/scorecards", month="2026-11").json()
    assert cards["month"] == "2026-11"
    rows = {c["agent"]: c for c in cards["results"]}
    assert rows["agent1"]["evaluated"] == 3 and rows["agent1"]["fatal_failed"] == 1
    assert rows["agent1"]["average"] == "61.11"  # (100 + 83.33 + 0) / 3
    assert rows["agent2"]["average"] == "77.78"
    assert [c["agent"] for c in cards["results"]] == ["agent2", "agent1"]  # the league order
    sections = {s["title"]: s["average"] for s in rows["agent1"]["sections"]}
    assert sections == {"开场": "100.00", "解答": "58.33"}  # (100 + 75 + 0) / 3
    only = lead.get(f"{URL}/scorecards", month="2026-11", agent="agent2").json()["results"]
    assert [c["agent"] for c in only] == ["agent2"]
    assert (
        api("agent2").get(f"{URL}/scorecards", month="2026-11").json()["results"][0]["agent"]
        == "agent2"
    )
    assert lead.get(f"{URL}/scorecards", month="2026-13").status_code == 400
