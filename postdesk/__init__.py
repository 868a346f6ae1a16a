"""postdesk — 邮政客服中心系统."""

from postdesk.celery import app as celery_app

__all__ = ["celery_app"]
