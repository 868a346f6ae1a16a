"""Reads of notices, always through the reader's scope; the fourth target's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import NotFound, ValidationFailed
from postdesk.core.paging import page_start
from postdesk.core.periods import Month
from postdesk.notices import flows
from postdesk.notices.kpi_rules import assemble
from postdesk.notices.models import Notice, NoticeEvent, NoticeRecipient
from postdesk.notices.services._common import acting_role, can_see
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def notices_visible(*, user: User) -> QuerySet[Notice]:
    scope = scope_for(user=user)
    rows = Notice.objects.select_related("unit", "issued_unit")
    if scope.everything:
        return rows
    if not user.is_authenticated or scope.role == "":
        return rows.none()
    if scope.role == Role.HANDLER:
        return rows.filter(unit_id__in=scope.unit_ids)
    return rows.filter(Q(unit_id__in=scope.unit_ids) | Q(issued_unit_id__in=scope.unit_ids))


def notice_get(*, user: User, number: str) -> Notice:
    notice = notices_visible(user=user).filter(number=number).first()
    if notice is None or not can_see(user, notice):
        raise NotFound()
    return notice


def notice_allowed_actions(*, user: User, notice: Notice) -> list[str]:
    role = acting_role(user, notice)
    return flows.allowed_actions(notice.status, role) if role else []


def notice_events(*, notice: Notice) -> list[NoticeEvent]:
    return list(notice.events.select_related("actor", "unit").order_by("at", "id"))


def notice_recipients(*, notice: Notice) -> list[NoticeRecipient]:
    return list(notice.recipients.select_related("user").order_by("id"))


def is_overdue(notice: Notice, now: datetime) -> bool:
    return notice.status in flows.OPEN and notice.leg_due_at <= now


@dataclass(frozen=True)
class ListFilters:
    unit: str = ""
    kind: str = ""
    status: str = ""
    overdue: bool | None = None


@dataclass
class Page:
    count: int
    page: int
    page_size: int
    results: list[Notice]


def notices_list(
    *, user: User, filters: ListFilters, page: int = 1, page_size: int = PAGE_SIZE
) -> Page:
    errors: dict[str, str] = {}
    if filters.kind and not flows.is_code("kind", filters.kind):
        errors["kind"] = _("Unknown kind of notice.")
    if filters.status and not flows.is_code("status", filters.status):
        errors["status"] = _("Unknown status.")
    if page < 1:
        errors["page"] = _("Pages are numbered from 1.")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = _("Give a page size between 1 and 100.")
    if errors:
        raise ValidationFailed(fields=errors)
    rows = notices_filtered(user=user, filters=filters)
    count = rows.count()
    last_page = max((count + page_size - 1) // page_size, 1)
    if page > last_page and count:
        raise ValidationFailed(fields={"page": _("There is no such page.")})
    start = page_start(page, page_size)
    return Page(count, page, page_size, list(rows.order_by("-id")[start : start + page_size]))


def notices_filtered(*, user: User, filters: ListFilters) -> QuerySet[Notice]:
    """The notices of the list's filters in the user's scope (exports read it)."""
    rows = notices_visible(user=user)
    if filters.unit:
        rows = rows.filter(unit__code=filters.unit)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.overdue is not None:
        overdue = Q(status__in=flows.OPEN, leg_due_at__lte=timezone.now())
        rows = rows.filter(overdue) if filters.overdue else rows.exclude(overdue)
    return rows


def notices_inbox(*, user: User, limit: int = 200) -> list[Notice]:
    """A handler's open notices, the most urgent first (their unit's and below)."""
    return list(
        notices_visible(user=user)
        .filter(status__in=["issued", "acknowledged"])
        .order_by("leg_due_at", "id")[:limit]
    )


def notices_chase(*, user: User, limit: int = 500) -> list[Notice]:
    """The team lead's chase list: notices without (final) feedback, the oldest first."""
    return list(
        notices_visible(user=user)
        .filter(status__in=sorted(flows.OPEN))
        .order_by("issued_at", "id")[:limit]
    )


def month_notices(*, user: User, month: Month, as_of: datetime) -> QuerySet[Notice]:
    """The notices behind the fourth target (its denominator, `kpi_rules.counts_in`):
    issued in the month by as-of, less those cancelled before their deadline, by the unit
    each was issued to within the reader's scope."""
    scope = scope_for(user=user)
    rows = Notice.objects.filter(
        issued_at__gte=month.start, issued_at__lt=month.end, issued_at__lte=as_of
    ).exclude(cancelled_at__isnull=False, cancelled_at__lte=as_of, cancelled_at__lt=F("due_at"))
    if not scope.everything:
        rows = rows.filter(issued_unit_id__in=scope.unit_ids)
    return rows


def fed_back_q(as_of: datetime) -> Q:
    """The numerator's condition (`kpi_rules.is_fed_back`)."""
    return Q(first_feedback_at__isnull=False, first_feedback_at__lte=as_of)


def notice_kpi(*, user: User, month: Month, as_of: datetime) -> dict[str, Any]:
    """The fourth target (`kpi_rules.py` has the definitions and the reference) for the
    notices the reader's scope covers, by the unit each was issued to. One indexed scan
    of the month's notices grouped by (unit, kind); the totals are summed from the cells."""
    rows = month_notices(user=user, month=month, as_of=as_of)
    fed_back = fed_back_q(as_of)
    cells = (
        rows.values("issued_unit__code", "kind")
        .annotate(
            issued=Count("id"),
            fed_back=Count("id", filter=fed_back),
            in_time=Count("id", filter=fed_back & Q(first_feedback_at__lte=F("due_at"))),
        )
        .order_by()
    )
    return assemble(
        str(month),
        (
            (c["issued_unit__code"], c["kind"], c["issued"], c["fed_back"], c["in_time"])
            for c in cells
        ),
    )
