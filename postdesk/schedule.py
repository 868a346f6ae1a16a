"""The periodic jobs, declared once: Celery beat reads this in production, and the
embedded scheduler (`postdesk embedded_worker`) reads the same table in the embedded mode.

Each entry: task name, schedule (seconds between runs, or a `crontab` in local time —
Asia/Shanghai, `CELERY_TIMEZONE`), and the queue it runs on. Keep the tasks idempotent:
a job that runs twice, or late, must do no harm.
"""

from __future__ import annotations

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "beat-heartbeat": {
        "task": "postdesk.core.tasks.beat_heartbeat",
        "schedule": 30.0,
        "options": {"queue": "default"},
    },
    "core-purge-expired": {
        "task": "postdesk.core.tasks.core_purge_expired",
        "schedule": 3600.0,
        "options": {"queue": "default"},
    },
    "core-retention-nightly": {
        "task": "postdesk.core.tasks.retention_nightly",
        "schedule": 3600.0,
        "options": {"queue": "default"},
    },
    "workorders-deadline-watch": {
        "task": "postdesk.workorders.tasks.work_orders_watch",
        "schedule": 60.0,
        "options": {"queue": "default"},
    },
    "notices-deadline-watch": {
        "task": "postdesk.notices.tasks.notices_watch",
        "schedule": 60.0,
        "options": {"queue": "default"},
    },
    "outbox-sweep": {
        "task": "postdesk.notify.tasks.outbox_sweep",
        "schedule": 15.0,
        "options": {"queue": "notifications"},
    },
    "sms-expire-sweep": {
        "task": "postdesk.notify.tasks.sms_expire_sweep",
        "schedule": 600.0,
        "options": {"queue": "notifications"},
    },
    "calls-sweep-stale": {
        "task": "postdesk.calls.tasks.calls_sweep_stale",
        "schedule": 300.0,
        "options": {"queue": "default"},
    },
    "calls-purge-old": {
        "task": "postdesk.calls.tasks.calls_purge_old",
        "schedule": 3600.0,
        "options": {"queue": "default"},
    },
    "portal-purge-challenges": {
        "task": "postdesk.portal.tasks.challenges_purge",
        "schedule": 3600.0,
        "options": {"queue": "default"},
    },
    "workforce-chase-major-incidents": {
        "task": "postdesk.workforce.tasks.internal_reports_chase",
        "schedule": 60.0,
        "options": {"queue": "default"},
    },
    "workforce-call-tallies": {
        # after midnight: the closed days' calls per half hour, for the forecast
        "task": "postdesk.workforce.tasks.call_tallies_nightly",
        "schedule": crontab(minute="30", hour="1"),
        "options": {"queue": "default"},
    },
    "reports-month-summary": {
        # the 1st of the month, 08:00 local time: version 1 of the month just closed
        "task": "postdesk.reports.tasks.month_summary_monthly",
        "schedule": crontab(minute="0", hour="8", day_of_month="1"),
        "options": {"queue": "reports"},
    },
}
