"""Suggestions pre-filled on the evaluation screen (the inspector decides), pure.

Two questions are recognised by their key: `no_forbidden_phrases` (the texts of the call or
the order are checked against the centre's forbidden phrases: cold or evasive answers and
internal information, 服务忌语) and `deadline_kept` (the order's deadline kept).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

FORBIDDEN_KEY = "no_forbidden_phrases"
DEADLINE_KEY = "deadline_kept"

#: The manual: 严格使用服务用语，严禁冷言恶语，不能简单搪塞；严禁透露邮政内部不公开的信息，
#: 不能随便将邮政局相关领导的电话提供给用户。
FORBIDDEN_PHRASES: tuple[str, ...] = (
    "不知道",
    "不清楚",
    "不归我管",
    "不归我们管",
    "没办法",
    "你自己去查",
    "自己去问",
    "听不懂吗",
    "急什么",
    "我也没办法",
    "找领导去",
    "爱找谁找谁",
    "内部规定不能说",
    "领导的电话",
    "领导手机",
)


def forbidden_hits(texts: Iterable[str], phrases: Iterable[str] = FORBIDDEN_PHRASES) -> list[str]:
    """The forbidden phrases found in the texts, each once, in the list's order."""
    joined = "\n".join(t for t in texts if t)
    return [p for p in phrases if p in joined]


def deadline_kept(
    *, due_at: datetime | None, done_at: datetime | None, now: datetime
) -> bool | None:
    """Done (replied or closed) by the deadline; still open: not yet past it. None when the
    order has no deadline."""
    if due_at is None:
        return None
    return (done_at or now) <= due_at


def prefill(
    question_keys: Iterable[str], *, hits: list[str] | None, kept: bool | None
) -> dict[str, bool]:
    """The suggested answers for the recognised questions present on the form."""
    out: dict[str, bool] = {}
    keys = set(question_keys)
    if FORBIDDEN_KEY in keys and hits is not None:
        out[FORBIDDEN_KEY] = not hits
    if DEADLINE_KEY in keys and kept is not None:
        out[DEADLINE_KEY] = kept
    return out
