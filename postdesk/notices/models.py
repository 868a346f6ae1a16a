"""Notices 通知: what a unit is asked to do for a customer, its deadline, who was told,
and the unit's feedback. No business logic here: `services.py` is the only writer of
`Notice.status` (through `flows.py`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from postdesk.notices import flows
from postdesk.workorders.models import DEADLINE_UNIT_CHOICES

KIND_CHOICES = [(code, en) for code, _zh, en in flows.KINDS]
STATUS_CHOICES = [(code, en) for code, _zh, en in flows.STATUSES]
RESULT_CHOICES = [(code, en) for code, _zh, en in flows.RESULTS]
REASON_CHOICES = [(code, en) for code, _zh, en in flows.REASONS]


class AlertStage(models.IntegerChoices):
    NONE = 0, _("on time")
    WARNED = 1, _("warned")
    ESCALATED = 2, _("overdue, team lead told")


class NoticePolicy(models.Model):
    """The deadlines of one kind of notice, edited by administrators; counted on the
    unit's business calendar (the work orders' calendars)."""

    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES, unique=True)
    ack_amount = models.PositiveIntegerField(_("acknowledge within"), null=True, blank=True)
    ack_unit = models.CharField(max_length=20, choices=DEADLINE_UNIT_CHOICES, blank=True)
    feedback_amount = models.PositiveIntegerField(_("feed back within"))
    feedback_unit = models.CharField(max_length=20, choices=DEADLINE_UNIT_CHOICES)
    by_window_end = models.BooleanField(
        _("feed back by the end of the requested window when one is given"), default=False
    )
    warn_before_minutes = models.PositiveIntegerField(_("warn minutes before"), default=30)

    class Meta:
        verbose_name = _("notice deadline")
        verbose_name_plural = _("notice deadlines")

    def __str__(self) -> str:
        return self.kind


class NoticeCounter(models.Model):
    """The last sequence number of each day: numbers read N2026112800017."""

    day = models.CharField(max_length=8, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Notice(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES)
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default="issued")
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("unit"),
        db_index=False,  # notice_unit_status leads with it
    )
    # The unit it was first issued to: the target counts the notice there.
    issued_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("issued to")
    )
    waybill_no = models.CharField(_("waybill number"), max_length=30, blank=True)
    phone = models.CharField(_("customer phone"), max_length=20, blank=True)
    name = models.CharField(_("customer name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    window_start = models.DateTimeField(_("window from"), null=True, blank=True)
    window_end = models.DateTimeField(_("window until"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
        verbose_name=_("work order"),
    )
    call_id = models.CharField(_("call"), max_length=100, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"))

    # Deadlines, stored for indexed lists and the target. `due_at` is the target's and
    # never changes; `leg_due_at` is the current unit's (a new one after a re-route).
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"))
    leg_due_at = models.DateTimeField(_("due at this unit"))
    warn_at = models.DateTimeField(null=True, blank=True)
    alert_stage = models.PositiveSmallIntegerField(default=AlertStage.NONE)

    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_feedback_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(
        pgettext_lazy("notice result", "result"), max_length=20, choices=RESULT_CHOICES, blank=True
    )
    reason = models.CharField(_("reason"), max_length=20, choices=REASON_CHOICES, blank=True)
    feedback_text = models.TextField(_("feedback"), blank=True)
    fed_back_at = models.DateTimeField(_("fed back at"), null=True, blank=True)
    fed_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=300, blank=True)
    customer_confirmed_at = models.DateTimeField(_("customer confirmed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["issued_at"], name="notice_issued"),
            models.Index(fields=["unit", "status", "leg_due_at"], name="notice_unit_status"),
            models.Index(fields=["status", "issued_at"], name="notice_status_issued"),
            models.Index(fields=["kind", "-id"], name="notice_kind_id"),
            models.Index(fields=["phone"], name="notice_phone"),  # the customer's timeline
            models.Index(
                fields=["alert_stage", "leg_due_at"],
                name="notice_open_alert",
                condition=Q(status__in=["issued", "acknowledged"]),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class NoticeRecipient(models.Model):
    """Who at the unit was told, and whether it reached them and they opened it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    emailed = models.BooleanField(_("e-mailed"), default=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_recipient_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.user_id}"


class NoticeEvent(models.Model):
    """The notice's audit trail: every transition, alert and customer reply."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.action}"
