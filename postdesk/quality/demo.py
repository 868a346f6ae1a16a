"""The demo centre's quality inspection: the two published forms and this month's quotas."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from postdesk.core.periods import Month
from postdesk.org.models import Role, Unit, UnitType, User
from postdesk.quality.forms_data import CALL_FORM, REPLY_FORM
from postdesk.quality.models import Form, Quota
from postdesk.quality.services import form_create


def seed(stdout: Any = None) -> None:
    admin = User.objects.filter(role=Role.DIRECTOR).order_by("pk").first()
    if admin is None:
        return
    for body in (CALL_FORM, REPLY_FORM):
        if not Form.objects.filter(name=body["name"]).exists():
            form = form_create(actor=admin, **body)
            form.published_at = timezone.now()
            form.save(update_fields=["published_at"])
    month = Month.current().first_day
    for agent in User.objects.filter(role=Role.AGENT, is_active=True):
        Quota.objects.get_or_create(
            month=month, agent=agent, unit=None, defaults={"calls": 10, "work_orders": 5}
        )
    for unit in Unit.objects.filter(type=UnitType.BRANCH):
        Quota.objects.get_or_create(
            month=month, agent=None, unit=unit, defaults={"calls": 0, "work_orders": 5}
        )
    if stdout is not None:
        stdout.write(f"quality: {Form.objects.count()} forms, {Quota.objects.count()} quotas")
