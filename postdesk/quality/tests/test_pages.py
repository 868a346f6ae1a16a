"""The pages: the evaluation screen (suggestions pre-filled, errors beside the question),
acknowledge / appeal / decide, the scorecards; Chinese and scoped."""

from __future__ import annotations

import pytest

from postdesk.quality import demo
from postdesk.quality.models import Evaluation, Form

pytestmark = pytest.mark.django_db


@pytest.fixture
def forms(org):
    demo.seed()
    return {f.target: f for f in Form.objects.all()}


def answers_for(form, **override):
    data = {}
    for s in form.sections:
        for q in s["questions"]:
            data[f"a_{q['key']}"] = "yes" if q["kind"] == "yes_no" else str(q["max"])
    data.update({f"a_{k}": v for k, v in override.items()})
    return data


def test_the_call_screen_shows_the_call_and_suggests_the_forbidden_phrase_check(
    client_for, forms, make_call
):
    call = make_call(
        "agent1", wrapup_note="客户催件，我说不知道", recording_url="https://pbx.example/r/1.wav"
    )
    lead = client_for("lead1")
    r = lead.get(f"/quality/evaluate/?call={call.pk}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "来电服务质检表" in html and "https://pbx.example/r/1.wav" in html
    assert "不知道" in html and 'data-testid="suggested-no_forbidden_phrases"' in html
    assert 'name="a_no_forbidden_phrases" value="no" checked' in html
    # marked down without the required comment: 400, the error beside the question, nothing saved
    body = {
        "call": call.pk,
        "form": forms["call"].pk,
        **answers_for(forms["call"], no_forbidden_phrases="no"),
    }
    r = lead.post("/quality/evaluate/", body)
    assert r.status_code == 400 and "扣分须填写理由" in r.content.decode()
    assert not Evaluation.objects.exists()
    r = lead.post("/quality/evaluate/", {**body, "c_no_forbidden_phrases": "说了“不知道”"})
    assert r.status_code == 302
    e = Evaluation.objects.get()
    assert str(e.score) == "88.89" and e.critical_failed == ["no_forbidden_phrases"]  # 16/18
    assert client_for("agent1").get(f"/quality/evaluate/?call={call.pk}").status_code == 404


def test_the_agent_acknowledges_or_appeals_once_and_a_director_decides(
    client_for, forms, make_call
):
    call = make_call("agent1")
    lead = client_for("lead1")
    lead.post(
        "/quality/evaluate/",
        {"call": call.pk, "form": forms["call"].pk, **answers_for(forms["call"], greeting="no")},
    )
    e = Evaluation.objects.get()
    agent = client_for("agent1")
    page = agent.get(f"/quality/evaluations/{e.pk}/").content.decode()
    assert "待确认" in page and 'data-testid="appeal-button"' in page
    assert client_for("agent2").get(f"/quality/evaluations/{e.pk}/").status_code == 404
    r = agent.post(f"/quality/evaluations/{e.pk}/", {"action": "appeal", "reason": "已报工号"})
    assert r.status_code == 302
    page = agent.get(f"/quality/evaluations/{e.pk}/").content.decode()
    assert "申诉中" in page and 'data-testid="appeal-button"' not in page
    r = agent.post(f"/quality/evaluations/{e.pk}/", {"action": "appeal", "reason": "再次"})
    assert r.status_code == 400 and "已申诉过" in r.content.decode()
    director = client_for("director1")
    r = director.post(
        f"/quality/evaluations/{e.pk}/",
        {"action": "decide", "upheld": "0", "score": "100", "reason": "录音中已报工号"},
    )
    assert r.status_code == 302
    page = agent.get(f"/quality/evaluations/{e.pk}/").content.decode()
    assert "申诉成立，已改分" in page and "录音中已报工号" in page


def test_the_order_screen_and_the_scorecards(client_for, forms, make_order):
    order = make_order(unit="WZ-LC01")
    lead = client_for("lead1")
    page = lead.get(f"/quality/evaluate/?work_order={order.number}").content.decode()
    assert "工单处理与支局回复质检表" in page and order.title in page and "鹿城支局" in page
    r = lead.post(
        "/quality/evaluate/",
        {
            "work_order": order.number,
            "form": forms["work_order"].pk,
            **answers_for(forms["work_order"]),
        },
    )
    assert r.status_code == 302
    cards = lead.get("/quality/scorecards/?month=2026-11").content.decode()
    assert "王晓燕" in cards and "鹿城支局" in cards and "100.00" in cards
    branch = client_for("branch2").get("/quality/").content.decode()
    assert order.number not in branch
    assert order.number in client_for("branch1").get("/quality/?month=2026-11").content.decode()
