"""Every number explained: the items behind each of the four quality targets.

For a target and a month, the items of its denominator — delivery attempts, complaints
or notices — each marked as counting for the target or against it, and why. The sets
and the conditions are the owning apps' own (`tracking.selectors.month_attempts` with
`online_q`/`timely_q`, `workorders.selectors.month_complaints` with `replied_q`,
`notices.selectors.month_notices` with `fed_back_q`), the same ones the targets count
with, so the item counts agree with the target's numerator and denominator exactly.
Items against the target come first, then by time.

The reason of an item is decided by :func:`reason_for`, pure, from the item's facts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postdesk.core.errors import NotFound
from postdesk.core.paging import page_start
from postdesk.core.periods import Month
from postdesk.notices.selectors import fed_back_q, month_notices
from postdesk.org.models import User
from postdesk.tracking.selectors import month_attempts, online_q, timely_q
from postdesk.workorders.selectors import month_complaints, replied_q

TARGET_KEYS = ("online_rate", "timely_rate", "complaint_reply_rate", "notification_feedback_rate")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

REASONS = {
    "online": _("result online"),
    "in_time": _("result online in time"),
    "no_result": _("no delivery result recorded"),
    "after_as_of": _("result recorded after the report's as-of time"),
    "late": _("result recorded after its deadline"),
    "replied": _("replied"),
    "reply_not_yet_due": _("not replied yet, still within its time limit"),
    "reply_late": _("not replied, its time limit has passed"),
    "fed_back": _("fed back"),
    "feedback_not_yet_due": _("no feedback yet, still within its time limit"),
    "feedback_late": _("no feedback, its time limit has passed"),
}


@dataclass(frozen=True)
class TargetItem:
    kind: str  # attempt | work_order | notice
    ref: str  # the waybill, order or notice number
    unit: str
    at: datetime | date
    counts: bool  # for the target (its numerator) or against it
    reason: str  # a key of REASONS

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])

    @property
    def link(self) -> str:
        if self.kind == "attempt":
            return f"/tracking/?q={self.ref}"
        if self.kind == "work_order":
            return f"/workorders/{self.ref}/"
        return f"/notices/{self.ref}/"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "unit": self.unit,
            "at": self.at.isoformat(),
            "counts": self.counts,
            "reason": self.reason,
            "reason_label": self.reason_label,
            "link": self.link,
        }


def reason_for(
    key: str,
    *,
    counts: bool,
    as_of: datetime,
    recorded_at: datetime | None = None,
    deadline: datetime | None = None,
    due_at: datetime | None = None,
) -> str:
    """Why an item counts for or against the target `key` (pure)."""
    if key in ("online_rate", "timely_rate"):
        if counts:
            return "online" if key == "online_rate" else "in_time"
        if recorded_at is None:
            return "no_result"
        if recorded_at > as_of:
            return "after_as_of"
        return "late"
    prefix = "reply" if key == "complaint_reply_rate" else "feedback"
    if counts:
        return "replied" if prefix == "reply" else "fed_back"
    if due_at is not None and due_at > as_of:
        return f"{prefix}_not_yet_due"
    return f"{prefix}_late"


@dataclass(frozen=True)
class _Source:
    rows: Callable[[User, Month, datetime], QuerySet[Any]]
    condition: Callable[[datetime], Q]
    order: tuple[str, ...]
    to_item: Callable[[str, Any, datetime], TargetItem]


def _attempt(key: str, row: Any, as_of: datetime) -> TargetItem:
    return TargetItem(
        "attempt",
        row.waybill_no,
        row.office_code,
        row.day,
        row.counts,
        reason_for(
            key,
            counts=row.counts,
            as_of=as_of,
            recorded_at=row.result_recorded_at,
            deadline=row.deadline,
        ),
    )


def _complaint(key: str, row: Any, as_of: datetime) -> TargetItem:
    return TargetItem(
        "work_order",
        row.number,
        row.handling_unit.name if row.handling_unit_id else "",
        timezone.localtime(row.created_at),
        row.counts,
        reason_for(key, counts=row.counts, as_of=as_of, due_at=row.reply_due_at),
    )


def _notice(key: str, row: Any, as_of: datetime) -> TargetItem:
    return TargetItem(
        "notice",
        row.number,
        row.issued_unit.name if row.issued_unit_id else "",
        timezone.localtime(row.issued_at),
        row.counts,
        reason_for(key, counts=row.counts, as_of=as_of, due_at=row.due_at),
    )


SOURCES: dict[str, _Source] = {
    "online_rate": _Source(
        lambda user, month, as_of: month_attempts(user=user, month=month),
        online_q,
        ("day", "office_code", "waybill_no", "id"),
        _attempt,
    ),
    "timely_rate": _Source(
        lambda user, month, as_of: month_attempts(user=user, month=month),
        timely_q,
        ("day", "office_code", "waybill_no", "id"),
        _attempt,
    ),
    "complaint_reply_rate": _Source(
        lambda user, month, as_of: month_complaints(user=user, month=month).select_related(
            "handling_unit"
        ),
        lambda as_of: replied_q(),
        ("created_at", "id"),
        _complaint,
    ),
    "notification_feedback_rate": _Source(
        lambda user, month, as_of: month_notices(
            user=user, month=month, as_of=as_of
        ).select_related("issued_unit"),
        fed_back_q,
        ("issued_at", "id"),
        _notice,
    ),
}


#: The deadline column of the targets whose items can still be inside their time limit.
DUE_FIELDS = {"complaint_reply_rate": "reply_due_at", "notification_feedback_rate": "due_at"}


def not_yet_due(*, user: User, key: str, month: Month, as_of: datetime) -> int:
    """How many of target `key`'s items count against it only because they are still
    inside their time limit at `as_of` (the items whose reason is `*_not_yet_due`): the
    part of the shortfall that is not late."""
    source, due = SOURCES.get(key), DUE_FIELDS.get(key)
    if source is None or due is None:
        return 0
    return (
        source.rows(user, month, as_of)
        .exclude(source.condition(as_of))
        .filter(**{f"{due}__gt": as_of})
        .count()
    )


@dataclass(frozen=True)
class ItemsPage:
    count: int  # the target's denominator
    counting: int  # its numerator: the items that count for it
    page: int
    page_size: int
    results: list[TargetItem]


def target_items(
    *,
    user: User,
    key: str,
    month: Month,
    as_of: datetime,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    against_only: bool = False,
) -> ItemsPage:
    """One page of the items behind target `key` (a `NotFound` for an unknown key)."""
    source = SOURCES.get(key)
    if source is None:
        raise NotFound(_("There is no such target."))
    page, page_size = max(int(page), 1), min(max(int(page_size), 1), MAX_PAGE_SIZE)
    condition = source.condition(as_of)
    rows = source.rows(user, month, as_of).annotate(
        counts=Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )
    count = rows.count()
    counting = rows.filter(condition).count()
    if against_only:
        rows = rows.exclude(condition)
    start = page_start(page, page_size)
    chosen = rows.order_by("counts", *source.order)[start : start + page_size]
    return ItemsPage(
        count, counting, page, page_size, [source.to_item(key, row, as_of) for row in chosen]
    )
