"""The phrase picker beside the order's reply boxes: the centre's service phrases with
their placeholders filled ({工号} the agent's number, {工单号} the order's, {姓氏} the
caller's surname) and the knowledge-base answers for the order's problem, as plain text
ready to insert at the cursor (static/workorders/reply_aids.js)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from postdesk.knowledge.markdown_io import strip_agent_notes
from postdesk.knowledge.selectors import article_suggestions, phrases_for
from postdesk.org.models import User
from postdesk.workorders.models import WorkOrder

# written replies first: what an agent writes to a customer, then the spoken rest
CATEGORY_ORDER = ("complaint", "apology", "closing", "follow_up", "refusal", "transfer", "hold")
ANSWERS = 3
ANSWER_CHARS = 300
_MARKUP = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+|\*\*|__|`")


@dataclass(frozen=True)
class Aid:
    kind: str  # "answer" or "phrase"
    label: str  # the article's title or the phrase category
    text: str  # what is inserted


def answer_text(body: str) -> str:
    """An article's answer as plain text: its first lines without headings or markup."""
    lines: list[str] = []
    for line in strip_agent_notes(body).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lines.append(_MARKUP.sub("", line).strip())
        if sum(len(x) for x in lines) >= ANSWER_CHARS:
            break
    return "\n".join(lines)[:ANSWER_CHARS]


def reply_aids(*, user: User, order: WorkOrder) -> list[Aid]:
    """Knowledge-base answers for the order, then the service phrases, filled."""
    values = {"工号": user.agent_no, "工单号": order.number}
    if order.caller_name:
        values["姓氏"] = order.caller_name[:1]
    aids: list[Aid] = []
    query = f"{order.title} {order.description}".strip()
    if query:
        for hit in article_suggestions(user=user, text=query, limit=ANSWERS):
            text = answer_text(hit.article.body)
            if text:
                aids.append(Aid("answer", hit.article.title, text))
    groups = {code: (label, items) for code, label, items in phrases_for(values=values)}
    for code in (*CATEGORY_ORDER, *[c for c in groups if c not in CATEGORY_ORDER]):
        if code in groups:
            label, items = groups[code]
            aids.extend(Aid("phrase", label, text) for _phrase, text in items)
    return aids
