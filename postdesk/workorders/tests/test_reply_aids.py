"""The order page's phrase picker: placeholders filled, knowledge answers as plain text."""

from __future__ import annotations

import pytest

from postdesk.workorders.reply_aids import answer_text, reply_aids


def test_answer_text_drops_headings_markup_and_agent_notes():
    body = "## 什么时候\n\n- **超过**参考时限\n- 显示妥投\n\n## 话务要点\n\n内部口径\n"
    assert answer_text(body) == "超过参考时限\n显示妥投"


@pytest.mark.django_db
def test_the_picker_fills_the_placeholders_and_offers_answers(staff, make_order):
    from postdesk.knowledge import demo

    demo.seed()
    order = make_order(caller_name="王芳", title="包裹延误要求查单")
    agent = staff["agent1"]
    aids = reply_aids(user=agent, order=order)
    texts = [a.text for a in aids]
    assert any(f"工单号是{order.number}" in t for t in texts)
    assert any(f"工号{agent.agent_no}" in t for t in texts)
    assert not any("{工单号}" in t or "{工号}" in t or "{姓氏}" in t for t in texts)
    assert aids[0].kind == "answer" and aids[0].text
