"""Thin Celery tasks of the reports app (queue "reports"); the monthly one is in
`postdesk/schedule.py`."""

from __future__ import annotations

from celery import shared_task

from postdesk.core.periods import Month, parse_month
from postdesk.org.models import User
from postdesk.reports import services


@shared_task(name="postdesk.reports.tasks.month_summary_generate")
def month_summary_generate(month: str, by_id: int | None = None) -> int | None:
    """A new version of `month`'s summary, asked for by user `by_id`; its version."""
    by = User.objects.filter(pk=by_id).first() if by_id is not None else None
    if by_id is not None and by is None:
        return None  # the user is gone: nobody asks any more
    summary = services.month_summary_generate(month=parse_month(month), by=by)
    return summary.version if summary else None


# The function's name matches the task name: the embedded scheduler imports it by that.
@shared_task(name="postdesk.reports.tasks.month_summary_monthly")
def month_summary_monthly() -> int | None:
    """The schedule's run (the 1st, 08:00): version 1 of the month just closed, unless
    one exists."""
    summary = services.month_summary_generate(month=Month.current().previous(), first_only=True)
    return summary.version if summary else None
