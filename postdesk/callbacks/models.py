"""Callbacks 回电/外呼: tasks to call a customer back, and the attempts made on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from postdesk.callbacks import flows


def _choices(vocabulary: tuple[flows.Label, ...]) -> list[tuple[str, str]]:
    return [(code, en) for code, _zh, en in vocabulary]


class CallbackTask(models.Model):
    reason = models.CharField(_("reason"), max_length=30, choices=_choices(flows.REASONS))
    status = models.CharField(
        _("status"), max_length=20, choices=_choices(flows.STATUSES), default="open"
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=_choices(flows.PRIORITIES), default="normal"
    )
    # the customer's number in canonical form (core.phones), shown masked
    phone = models.CharField(_("customer phone"), max_length=20)
    name = models.CharField(_("customer name"), max_length=100, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callbacks",
    )
    notice = models.ForeignKey(
        "notices.Notice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    call_id = models.CharField(_("from call"), max_length=100, blank=True)
    text = models.CharField(_("what to say"), max_length=500, blank=True)
    window_start = models.DateTimeField(_("call from"))
    window_end = models.DateTimeField(_("call by"), db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callbacks",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    attempts_count = models.PositiveSmallIntegerField(_("call attempts"), default=0)
    # what created it automatically ("notice-event:12", "wo-event:34"): created once
    source = models.CharField(max_length=60, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["window_end", "id"]
        indexes = [
            models.Index(
                fields=["assignee", "window_end"],
                condition=Q(status__in=["open", "in_progress"]),
                name="callback_open_assignee",
            ),
            models.Index(
                fields=["team", "window_end"],
                condition=Q(status__in=["open", "in_progress"]),
                name="callback_open_team",
            ),
        ]

    def __str__(self) -> str:
        return f"callback {self.pk} ({self.reason}, {self.status})"


class CallbackAttempt(models.Model):
    """One call made on a task: begun with "start" (outcome empty while it runs), ended by
    recording its outcome; `call` is the CTI's record of the outbound call."""

    task = models.ForeignKey(CallbackTask, on_delete=models.CASCADE, related_name="attempts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("call started"))
    at = models.DateTimeField(_("recorded"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=_choices(flows.OUTCOMES), blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call"], condition=Q(call__isnull=False), name="callback_attempt_call"
            )
        ]

    def __str__(self) -> str:
        return f"attempt {self.pk} on {self.task_id}: {self.outcome or '…'}"


class CallbackEvent(models.Model):
    """The audit trail: who did what to a task, from which status to which."""

    task = models.ForeignKey(CallbackTask, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}: {self.from_status} → {self.to_status}"
