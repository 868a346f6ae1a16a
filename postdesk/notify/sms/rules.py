"""Quiet hours and message templates of customer SMS (pure: no Django, no database).

Quiet hours: no customer SMS between 21:00 and 08:00 local time unless it is urgent; a
message recorded then is held until the morning (:func:`quiet_until`).

Templates: one per kind of message, in Chinese, with ``{variables}``; an administrator
maps each to the provider's approved template code in settings (``SMS_TEMPLATE_CODES``),
since Chinese providers send only pre-approved templates.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(8, 0)


DEFAULT_QUIET: Final = QuietHours()


def quiet_until(local_now: datetime, quiet: QuietHours = DEFAULT_QUIET) -> datetime | None:
    """When `local_now` (aware, local time) falls in quiet hours: the morning it ends
    (same zone); else None. The window may span midnight (21:00–08:00) or not."""
    if local_now.tzinfo is None:
        raise ValueError("local_now must be aware")
    if quiet.start == quiet.end:
        return None
    now_t = local_now.time()
    spans_midnight = quiet.start > quiet.end
    if spans_midnight:
        inside = now_t >= quiet.start or now_t < quiet.end
    else:
        inside = quiet.start <= now_t < quiet.end
    if not inside:
        return None
    day = local_now.date()
    if spans_midnight and now_t >= quiet.start:
        day = day + timedelta(days=1)
    wall = datetime.combine(day, quiet.end)
    return wall.replace(tzinfo=local_now.tzinfo)


@dataclass(frozen=True)
class Template:
    code: str
    name: str  # 简体中文, for the pages
    text: str  # 简体中文 with {variables}
    ignores_opt_out: bool = False  # a code the customer asked for themselves
    secret: bool = False  # its text is blanked once sent or final (`redacted`)

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(
            name for _lit, name, _spec, _conv in string.Formatter().parse(self.text) if name
        )


TEMPLATES: Final[Mapping[str, Template]] = {
    t.code: t
    for t in (
        Template(
            "pickup_confirmed",
            "揽收已确认",
            "【中国邮政】您的揽收预约已确认，{unit}将于{window}上门收件，通知单号{number}。",
        ),
        Template(
            "pickup_failed",
            "揽收未成功",
            "【中国邮政】很抱歉，您预约的揽收未能完成（{reason}），如需重新预约请致电11185。",
        ),
        Template(
            "redelivery_scheduled",
            "再投已安排",
            "【中国邮政】您的邮件{waybill}已安排再次投递，时间{window}，如有变动请回复或致电11185。",
        ),
        Template(
            "appointment_confirm",
            "预约投递待确认",
            "【中国邮政】您的邮件{waybill}预约于{window}投递，确认请回复1，改约请致电11185。",
        ),
        Template(
            "notice_done",
            "已按您的要求办理",
            "【中国邮政】您的{kind}申请（邮件{waybill}）已办理完毕，感谢您的耐心等待。",
        ),
        Template(
            "complaint_replied",
            "投诉已回复",
            "【中国邮政】您的投诉（工单{number}）已有处理结果：{summary}。如有疑问请致电11185。",
        ),
        Template(
            "callback_missed",
            "回电未接通",
            "【中国邮政】我们曾致电您回复工单{number}，未能接通，请方便时致电11185。",
        ),
        Template(
            "one_time_code",
            "验证码",
            "【中国邮政】您的验证码为{code}，{minutes}分钟内有效，请勿告诉他人。",
            ignores_opt_out=True,
            secret=True,
        ),
        Template(
            "major_incident",
            "重大情况报告",
            "【中国邮政】重大情况{number}：{title}。请登录系统确认收悉。",
            ignores_opt_out=True,  # to the centre's own director, not to a customer
        ),
        Template("general", "通用通知", "【中国邮政】{text}"),
    )
}

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class TemplateError(ValueError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def render(code: str, params: Mapping[str, object]) -> str:
    """The message text of template `code` with `params`; TemplateError when the template
    is unknown or a variable is missing."""
    template = TEMPLATES.get(code)
    if template is None:
        raise TemplateError("template", "unknown")
    missing = [name for name in template.variables if params.get(name) in (None, "")]
    if missing:
        raise TemplateError(missing[0], "missing")
    return _PLACEHOLDER.sub(lambda m: str(params[m.group(1)]), template.text)


def redacted(code: str, params: Mapping[str, object]) -> tuple[str, dict[str, str]]:
    """A secret template's text and params as kept once the message is out: each
    variable starred, so nobody reading the message list learns a one-time code."""
    hidden = {name: "*" * len(str(value)) for name, value in params.items()}
    template = TEMPLATES.get(code)
    if template is None:
        return "", hidden
    return _PLACEHOLDER.sub(lambda m: str(hidden.get(m.group(1), "")), template.text), hidden


#: What a customer writes to stop notices (退订); matched after trimming, case-insensitive.
OPT_OUT_WORDS: Final = frozenset({"td", "退订", "stop", "unsubscribe"})
#: What a customer writes to confirm (an appointment).
CONFIRM_WORDS: Final = frozenset({"1", "是", "确认", "好", "y", "yes"})


def reply_intent(content: str) -> str:
    """ "opt_out", "confirm" or "text" for an inbound reply."""
    word = content.strip().lower().rstrip("。.!！")
    if word in OPT_OUT_WORDS:
        return "opt_out"
    if word in CONFIRM_WORDS:
        return "confirm"
    return "text"
