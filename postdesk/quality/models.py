"""Quality inspection (质检): forms (versioned), evaluations, appeals, quotas, samples,
calibration sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    CALL = "call", _("call")
    WORK_ORDER = "work_order", _("work order")


class Form(models.Model):
    """One version of an inspection form. Published versions are frozen; editing one makes
    the next version of the same family (`family` = the first version's id)."""

    name = models.CharField(_("name"), max_length=100)
    target = models.CharField(_("target"), max_length=20, choices=Target.choices)
    # a work-order form that scores the branch's reply counts for the handling unit too
    branch_reply = models.BooleanField(_("scores the branch's reply"), default=False)
    family = models.PositiveIntegerField(_("family"), null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    sections = models.JSONField(_("sections"), default=list)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection form")
        verbose_name_plural = _("inspection forms")
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="quality_form_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Calibration(models.Model):
    """Several inspectors score the same items blind; the spread and the agreement show."""

    name = models.CharField(_("name"), max_length=100)
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="+")
    calls = models.ManyToManyField("calls.Call", blank=True, related_name="+")
    work_orders = models.ManyToManyField("workorders.WorkOrder", blank=True, related_name="+")
    raters = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calibration")
        verbose_name_plural = _("calibrations")

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("awaiting acknowledgement")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        APPEALED = "appealed", _("appealed")
        UPHELD = "upheld", _("appeal rejected, score upheld")
        OVERTURNED = "overturned", _("appeal accepted, score changed")

    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="evaluations")
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # whom it counts for: the call's agent or the order's first-contact owner; and the
    # handling unit when the form scores the branch's reply
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quality_evaluations",
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calibration = models.ForeignKey(
        Calibration, null=True, blank=True, on_delete=models.CASCADE, related_name="evaluations"
    )
    month = models.DateField(_("month"), db_index=True)  # first day, Asia/Shanghai
    answers = models.JSONField(default=dict)
    comments = models.JSONField(default=dict)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    original_score = models.DecimalField(max_digits=5, decimal_places=2)
    section_scores = models.JSONField(default=list)
    fatal_failed = models.BooleanField(_("fatal fail"), default=False)
    critical_failed = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("evaluated"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        indexes = [
            models.Index(fields=["month", "agent"], name="quality_eval_month_agent"),
            models.Index(fields=["month", "unit"], name="quality_eval_month_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.score}"


class Appeal(models.Model):
    """At most one per evaluation (the one-to-one keeps it so); a director or another lead
    decides, and the decision and its reason stay."""

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="appeal")
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    upheld = models.BooleanField(null=True)
    decision_reason = models.TextField(blank=True)
    new_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return str(self.pk)


class Quota(models.Model):
    """Monthly quota: per agent (calls, work orders) or per branch (work-order replies)."""

    month = models.DateField(_("month"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    calls = models.PositiveIntegerField(_("calls"), default=0)
    work_orders = models.PositiveIntegerField(_("work orders"), default=0)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")

    def __str__(self) -> str:
        return str(self.pk)


class Sample(models.Model):
    """One item drawn for inspection in a month, assigned to an inspector."""

    class Reason(models.TextChoices):
        RANDOM = "random", _("random sample")
        DISSATISFIED = "dissatisfied", _("dissatisfied follow-up")
        REOPENED = "reopened", _("reopened complaint")

    month = models.DateField(_("month"), db_index=True)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.RANDOM)
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")

    def __str__(self) -> str:
        return str(self.pk)
