"""Demo notices: one of each delivery kind to the demo branches, in every state a unit
and a team lead meet (issued, acknowledged, fed back done / failed, not our unit,
cancelled). Idempotent: nothing is added when demo notices exist. The demo pickup work
order's notice comes from the work orders' demo (dispatching a pickup issues it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from postdesk.notices.models import Notice
from postdesk.notices.services import notice_act, notice_issue
from postdesk.org.models import User

MARK = "演示数据"


def seed(stdout: Any = None) -> None:
    if Notice.objects.filter(text__startswith=MARK).exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["agent1", "branch1"])}
    if len(users) < 2:
        return
    agent, branch = users["agent1"], users["branch1"]
    from postdesk.tracking.models import Event

    waybills = list(
        Event.objects.order_by("waybill_no").values_list("waybill_no", flat=True).distinct()[:6]
    ) or ["EA473124829CN", "EA000000001CN", "EA000000015CN", "EA000000029CN"]
    tomorrow = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    tomorrow += timedelta(days=1)

    def issue(kind: str, text: str, index: int, **extra: Any) -> Notice:
        return notice_issue(
            actor=agent,
            kind=kind,
            unit="WZ-LC01",
            waybill_no=waybills[index % len(waybills)] if kind not in {"pickup", "other"} else "",
            phone=f"1380577{index:04d}",
            name=["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊"][index % 6],
            address="浙江省温州市鹿城区五马街88号",
            window_start=tomorrow,
            window_end=tomorrow + timedelta(hours=3),
            text=f"{MARK}：{text}",
            **extra,
        )

    issue("redelivery", "客户今天不在家，要求明天上午再投。", 0)
    appointment = issue("appointment", "客户预约明天上午投递。", 1)
    notice_act(actor=branch, notice=appointment, action="acknowledge")
    done = issue("hold", "客户要求邮件留局，本人到网点自取。", 2)
    notice_act(
        actor=branch, notice=done, action="feedback", payload={"result": "done", "text": "已留局"}
    )
    failed = issue("address_change", "客户要求改投至新地址。", 3)
    notice_act(
        actor=branch,
        notice=failed,
        action="feedback",
        payload={"result": "failed", "reason": "address_wrong", "text": "新地址不详"},
    )
    wrong = issue("intercept", "寄件人要求撤回邮件。", 4)
    notice_act(
        actor=branch,
        notice=wrong,
        action="feedback",
        payload={"result": "wrong_unit", "text": "该邮件不在本网点"},
    )
    cancelled = issue("other", "客户来电询问上门服务。", 5)
    notice_act(actor=agent, notice=cancelled, action="cancel", payload={"reason": "客户已自行处理"})
    if stdout is not None:
        stdout.write(f"demo notices: {Notice.objects.count()}")
