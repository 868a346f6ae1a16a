"""Reads of callbacks, always through the reader's scope (the task's team must be in it).

The agent's list: their own tasks first, then the team's, each due soonest first (the
window's end), the more urgent first on a tie; overdue = still open after the window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.callbacks import flows, rules
from postdesk.callbacks.models import CallbackAttempt, CallbackTask
from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for

PAGE_SIZE = 50
DUE_FILTERS = ("overdue", "today", "soon")
SOON = timedelta(hours=1)


@dataclass(frozen=True)
class CallbackFilters:
    status: str = "active"  # a status, "active" (open or in progress) or "all"
    assignee: str = ""  # "me", "none" (the team's, unassigned) or a username
    due: str = ""  # "overdue", "today", "soon" (within the hour) or ""
    team: str = ""  # a unit code
    page: int = 1


@dataclass(frozen=True)
class CallbackPage:
    count: int
    page: int
    page_size: int
    results: list[CallbackTask]


def callbacks_visible(*, user: User) -> QuerySet[CallbackTask]:
    if not rules.can_read_callbacks(user):
        raise PermissionDenied(_("Callbacks are the centre's work."))
    tasks = CallbackTask.objects.select_related("assignee", "team", "work_order", "notice")
    scope = scope_for(user=user)
    return tasks if scope.everything else tasks.filter(team_id__in=scope.unit_ids)


def callback_get(*, user: User, task_id: int) -> CallbackTask:
    try:
        task = callbacks_visible(user=user).filter(pk=task_id).first()
    except PermissionDenied:
        raise NotFound() from None
    if task is None:
        raise NotFound()
    return task


def is_overdue(task: CallbackTask, now: datetime) -> bool:
    return task.status in flows.OPEN and task.window_end < now


def clean_filters(
    *, status: str = "", assignee: str = "", due: str = "", team: str = "", page: int = 1
) -> CallbackFilters:
    problems: dict[str, str] = {}
    status = status or "active"
    if status not in {"active", "all"} and not flows.is_code(flows.STATUSES, status):
        problems["status"] = _("This value is not one of the allowed choices.")
    if due and due not in DUE_FILTERS:
        problems["due"] = _("This value is not one of the allowed choices.")
    if page < 1:
        problems["page"] = _("A page number starts at 1.")
    if problems:
        raise ValidationFailed(fields=problems)
    return CallbackFilters(status=status, assignee=assignee, due=due, team=team, page=page)


def callback_list(
    *, user: User, filters: CallbackFilters, now: datetime | None = None, page_size: int = PAGE_SIZE
) -> CallbackPage:
    now = now or timezone.now()
    tasks = callbacks_visible(user=user)
    if filters.status == "active":
        tasks = tasks.filter(status__in=flows.OPEN)
    elif filters.status != "all":
        tasks = tasks.filter(status=filters.status)
    if filters.assignee == "me":
        tasks = tasks.filter(assignee=user)
    elif filters.assignee == "none":
        tasks = tasks.filter(assignee__isnull=True)
    elif filters.assignee:
        tasks = tasks.filter(assignee__username=filters.assignee)
    if filters.team:
        tasks = tasks.filter(team__code=filters.team)
    if filters.due == "overdue":
        tasks = tasks.filter(status__in=flows.OPEN, window_end__lt=now)
    elif filters.due == "soon":
        tasks = tasks.filter(window_end__lt=now + SOON)
    elif filters.due == "today":
        end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        tasks = tasks.filter(window_end__lte=end_of_day)
    if user.role == Role.AGENT and not filters.assignee and not filters.team:
        # an agent's list: their own and their team's
        tasks = tasks.filter(Q(assignee=user) | Q(team_id=user.unit_id))
    ordered = tasks.annotate(
        mine=Case(When(assignee_id=user.pk, then=Value(0)), default=Value(1)),
        rank=Case(
            *(When(priority=code, then=Value(n)) for code, n in flows.PRIORITY_RANK.items()),
            default=Value(9),
            output_field=IntegerField(),
        ),
    ).order_by("mine", "window_end", "rank", "id")
    count = ordered.count()
    start = (filters.page - 1) * page_size
    return CallbackPage(
        count=count,
        page=filters.page,
        page_size=page_size,
        results=list(ordered[start : start + page_size]),
    )


def callback_attempts(*, task: CallbackTask) -> list[CallbackAttempt]:
    return list(task.attempts.select_related("agent", "call").order_by("started_at", "id"))


def team_agents(*, user: User) -> list[User]:
    """Whom a lead may give a task to: the active agents and leads in their scope."""
    scope = scope_for(user=user)
    staff = User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.LEAD]).exclude(
        unit__isnull=True
    )
    if not scope.everything:
        staff = staff.filter(unit_id__in=scope.unit_ids)
    return list(staff.order_by("agent_no", "username"))
