"""Demo callbacks 回电: a few on agent1's list (one overdue), one for the team to take,
and one reached after a first unanswered call. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from postdesk.callbacks.models import CallbackTask
from postdesk.callbacks.services import CallbackInput, callback_attempt_record, callback_create
from postdesk.org.models import User

MARK = "演示"


def seed(stdout: Any = None) -> None:
    if CallbackTask.objects.filter(text__startswith=MARK).exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["agent1", "lead1"])}
    if len(users) < 2:
        return
    agent, lead = users["agent1"], users["lead1"]
    now = timezone.now()

    def make(by: User, reason: str, index: int, text: str, **extra: Any) -> CallbackTask:
        return callback_create(
            actor=by,
            data=CallbackInput(
                reason=reason,
                phone=f"1390577{index:04d}",
                name=["张伟", "李娜", "王芳", "刘洋"][index % 4],
                text=f"{MARK}：{text}",
                **extra,
            ),
        )

    make(
        agent,
        "work_order_callback",
        0,
        "客户询问国际包裹资费，查明后回电告知。",
        assignee="agent1",
        window_start=now - timedelta(hours=3),
        window_end=now - timedelta(hours=1),
        priority="high",
    )
    make(
        agent,
        "follow_up",
        1,
        "投诉已回复，回访客户是否满意。",
        assignee="agent1",
        window_end=now + timedelta(hours=4),
    )
    make(
        lead,
        "failed_pickup",
        2,
        "上门揽收时客户不在，回访改约时间。",
        window_end=now + timedelta(minutes=40),
    )
    reached = make(agent, "other", 3, "客户要求回电说明改址进度。", assignee="agent1")
    callback_attempt_record(actor=agent, task=reached, outcome="no_answer", note="无人接听")
    callback_attempt_record(actor=agent, task=reached, outcome="reached", note="已告知改址进度")
    if stdout is not None:
        stdout.write("callbacks: 4 demo callbacks\n")
