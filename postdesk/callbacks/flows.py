"""The callback task's status machine, as data (pure; exhaustively tested).

    open ──start──▶ in_progress ──record(reached)──▶ done
      │                 │ record(no answer…, attempts < max) ─▶ in_progress
      │                 │ record(no answer…, attempts = max) ─▶ failed
      ├─record(…)───────┘ (an outcome recorded without "start": the same rules)
      ├─complete / cancel ─▶ done / cancelled  (also from in_progress)
      └─assign: the same status (open or in_progress)

`done`, `failed` and `cancelled` are final. An attempt counts when its outcome is
recorded; the outcome `reached` ends the task whatever the count.
"""

from __future__ import annotations

from typing import Final

Label = tuple[str, str, str]  # (code, 中文, English)

STATUSES: Final[tuple[Label, ...]] = (
    ("open", "待回电", "Open"),
    ("in_progress", "回电中", "In progress"),
    ("done", "已完成", "Done"),
    ("failed", "未联系上", "Failed"),
    ("cancelled", "已取消", "Cancelled"),
)
ACTIONS: Final[tuple[Label, ...]] = (
    ("start", "开始外呼", "Start the call"),
    ("record", "登记结果", "Record the outcome"),
    ("assign", "改派", "Reassign"),
    ("complete", "完成", "Complete"),
    ("cancel", "取消", "Cancel"),
)
OUTCOMES: Final[tuple[Label, ...]] = (
    ("reached", "已接通", "Reached"),
    ("no_answer", "无人接听", "No answer"),
    ("busy", "占线", "Busy"),
    ("wrong_number", "号码错误", "Wrong number"),
    ("voicemail", "语音信箱", "Voicemail"),
)
REASONS: Final[tuple[Label, ...]] = (
    ("work_order_callback", "工单回电", "Work order callback"),
    ("failed_pickup", "揽收失败回访", "Failed pickup"),
    ("follow_up", "回访到期", "Follow-up call due"),
    ("other", "其他", "Other"),
)
PRIORITIES: Final[tuple[Label, ...]] = (
    ("urgent", "紧急", "Urgent"),
    ("high", "高", "High"),
    ("normal", "普通", "Normal"),
)
PRIORITY_RANK: Final = {"urgent": 0, "high": 1, "normal": 2}

OPEN: Final = frozenset({"open", "in_progress"})
FINAL: Final = frozenset({"done", "failed", "cancelled"})
#: The outcomes that end a task at once (the customer was reached, or cannot be: a
#: wrong number is not tried again).
ENDING: Final = {"reached": "done", "wrong_number": "failed"}

_TABLE: Final[dict[tuple[str, str], str]] = {
    ("open", "start"): "in_progress",
    ("in_progress", "start"): "in_progress",  # a second attempt
    ("open", "assign"): "open",
    ("in_progress", "assign"): "in_progress",
    ("open", "complete"): "done",
    ("in_progress", "complete"): "done",
    ("open", "cancel"): "cancelled",
    ("in_progress", "cancel"): "cancelled",
}


class TransitionRefused(Exception):
    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"{action} is not allowed in {status}")
        self.status, self.action = status, action


def codes(vocabulary: tuple[Label, ...]) -> frozenset[str]:
    return frozenset(code for code, _zh, _en in vocabulary)


def is_code(vocabulary: tuple[Label, ...], value: object) -> bool:
    return isinstance(value, str) and value in codes(vocabulary)


def next_status(
    status: str,
    action: str,
    *,
    outcome: str | None = None,
    attempts: int = 0,
    max_attempts: int = 1,
) -> str:
    """The status after `action`. For `record`: `attempts` counts the recorded attempts
    including this one; `outcome` must be one of OUTCOMES."""
    if action == "record":
        if status not in OPEN or not is_code(OUTCOMES, outcome):
            raise TransitionRefused(status, action)
        assert outcome is not None
        if outcome in ENDING:
            return ENDING[outcome]
        return "failed" if attempts >= max_attempts else "in_progress"
    target = _TABLE.get((status, action))
    if target is None:
        raise TransitionRefused(status, action)
    return target


def allowed_actions(status: str) -> list[str]:
    return [
        code
        for code, _zh, _en in ACTIONS
        if (status, code) in _TABLE or (code == "record" and status in OPEN)
    ]


def label(vocabulary: tuple[Label, ...], code: str, lang: str = "zh") -> str:
    for c, zh, en in vocabulary:
        if c == code:
            return zh if lang == "zh" else en
    return code
