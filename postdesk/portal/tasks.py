"""Thin Celery tasks of the portal (the periodic job of `postdesk/schedule.py`: spent
challenges and old one-time codes)."""

from __future__ import annotations

from celery import shared_task

from postdesk.portal import otp, services


# The function's name matches the task name: the embedded scheduler imports it by that.
@shared_task(name="postdesk.portal.tasks.challenges_purge")
def challenges_purge() -> int:
    return services.challenges_purge() + otp.codes_purge()
