"""The notices' deadline watch: before the unit's deadline its handlers are warned, at it
the notice is escalated to the team lead (unit → team lead), in-app and by e-mail through
the outbox. Runs every minute (postdesk/schedule.py); each step is a conditional update
of the row's alert stage, so a late or doubled run does no harm. A pickup notice tied to
a work order is watched as that order (its own watch warns and escalates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.notices.models import AlertStage, Notice, NoticeEvent
from postdesk.notices.services._common import handlers_of, kind_label, leads_for
from postdesk.notify.services import notify_users

BATCH = 500
OPEN = ["issued", "acknowledged"]


@dataclass
class WatchResult:
    warned: int = 0
    escalated: int = 0


def notice_alert(*, notice_id: int, stage: int, now: datetime | None = None) -> bool:
    """Raise one notice's alert stage to `stage` if its deadline still calls for it."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("unit", "issued_by")
            .filter(pk=notice_id, status__in=OPEN, alert_stage__lt=stage)
            .first()
        )
        if notice is None:
            return False
        if stage == AlertStage.WARNED and not (notice.warn_at and notice.warn_at <= now):
            return False
        if stage == AlertStage.ESCALATED and notice.leg_due_at > now:
            return False
        Notice.objects.filter(pk=notice.pk).update(alert_stage=stage)
        due = timezone.localtime(notice.leg_due_at).strftime("%Y-%m-%d %H:%M")
        values = {"number": notice.number, "kind": kind_label(notice.kind), "due": due}
        people = handlers_of(notice.unit_id)
        if stage == AlertStage.WARNED:
            title = _("Notice %(number)s (%(kind)s) is due at %(due)s") % values
        else:
            title = _("Notice %(number)s (%(kind)s) missed its deadline (%(due)s)") % values
            people += leads_for(notice)
        NoticeEvent.objects.create(
            notice=notice,
            at=now,
            actor=None,
            action="warning" if stage == AlertStage.WARNED else "escalation",
            from_status=notice.status,
            to_status=notice.status,
            unit=notice.unit,
            data={"due_at": notice.leg_due_at.isoformat()},
        )
        notify_users(
            users={u.pk: u for u in people}.values(),
            key=f"notice-alert:{notice.pk}:{notice.leg_due_at.isoformat()}:{stage}",
            title=title,
            body=notice.unit.name,
            link=f"/notices/{notice.number}/",
            level="warning" if stage == AlertStage.WARNED else "error",
            email=True,
        )
    return True


def notices_watch(*, now: datetime | None = None, limit: int = BATCH) -> WatchResult:
    """One pass over the indexed open notices (`notice_open_alert`)."""
    now = now or timezone.now()
    result = WatchResult()
    unlinked = Notice.objects.filter(status__in=OPEN, work_order__isnull=True)
    for notice_id in (
        unlinked.filter(alert_stage__lt=AlertStage.ESCALATED, leg_due_at__lte=now)
        .order_by("leg_due_at")
        .values_list("pk", flat=True)[:limit]
    ):
        result.escalated += notice_alert(notice_id=notice_id, stage=AlertStage.ESCALATED, now=now)
    for notice_id in (
        unlinked.filter(alert_stage=AlertStage.NONE, warn_at__lte=now, leg_due_at__gt=now)
        .order_by("warn_at")
        .values_list("pk", flat=True)[:limit]
    ):
        result.warned += notice_alert(notice_id=notice_id, stage=AlertStage.WARNED, now=now)
    return result
