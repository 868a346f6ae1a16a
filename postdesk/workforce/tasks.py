"""Thin Celery tasks of the workforce app (the periodic jobs of `postdesk/schedule.py`)."""

from __future__ import annotations

from celery import shared_task

from postdesk.workforce.services import internal_reports_chase as _chase
from postdesk.workforce.services.tallies import call_tallies_nightly as _tally


# The function's name matches the task name: the embedded scheduler imports it by that.
@shared_task(name="postdesk.workforce.tasks.internal_reports_chase")
def internal_reports_chase() -> int:
    """Remind the directors of every major situation not acknowledged for 10 minutes."""
    return _chase()


@shared_task(name="postdesk.workforce.tasks.call_tallies_nightly")
def call_tallies_nightly() -> int:
    """Tally the days that have closed (the forecast's history reads them)."""
    return _tally()
