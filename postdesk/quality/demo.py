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
    _seed_one_evaluation()
    if stdout is not None:
        stdout.write(f"quality: {Form.objects.count()} forms, {Quota.objects.count()} quotas")


def _seed_one_evaluation() -> None:
    """One scored call, so the centre's pages have an evaluation to show."""
    from postdesk.calls.models import Call
    from postdesk.quality.models import Evaluation
    from postdesk.quality.services import evaluation_create

    lead = User.objects.filter(role=Role.LEAD).order_by("pk").first()
    form = Form.objects.filter(target="call", published_at__isnull=False).first()
    call = (
        Call.objects.filter(agent__isnull=False, answered_at__isnull=False).order_by("pk").first()
    )
    if lead is None or form is None or call is None or Evaluation.objects.exists():
        return
    answers: dict[str, Any] = {}
    for section in form.sections:
        for q in section["questions"]:
            answers[q["key"]] = True if q["kind"] == "yes_no" else q["max"]
    try:
        evaluation_create(actor=lead, form=form, call_pk=call.pk, answers=answers)
    except Exception:  # a call outside the lead's scope: no demo evaluation
        return
