"""Work orders 工单: the order, its audit trail, attachments, SLA policies and calendars.

No business logic here: `services.py` is the only writer of `WorkOrder.status` (through
`flows.py`, the state machine declared as data) and of the deadlines stored on the row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from postdesk.core.businesstime import DEADLINE_UNITS
from postdesk.workorders import flows

TYPE_CHOICES = [(code, en) for code, _zh, en in flows.WORK_ORDER_TYPES]
STATUS_CHOICES = [(code, en) for code, _zh, en in flows.STATUSES]
DEADLINE_UNIT_CHOICES = [(unit, unit.replace("_", " ")) for unit in DEADLINE_UNITS]


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class AlertStage(models.IntegerChoices):
    """How far the deadline watch has gone for the current `due_at`."""

    NONE = 0, _("on time")
    WARNED = 1, _("warned")
    BREACHED = 2, _("breached")
    DIRECTOR = 3, _("breached, director told")


class WorkOrder(models.Model):
    # unique through Meta.constraints: one index each (`unique=True` adds a second,
    # pattern-ops index on PostgreSQL that no query uses, and every intake pays for it)
    number = models.CharField(_("number"), max_length=20)
    public_ref = models.CharField(_("public reference"), max_length=32)
    type = models.CharField(_("type"), max_length=20, choices=TYPE_CHOICES)
    subtype = models.CharField(_("sub-type"), max_length=30, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default="new")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    caller_phone = models.CharField(_("caller phone"), max_length=20, blank=True)
    caller_name = models.CharField(_("caller name"), max_length=100, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    call_id = models.CharField(_("call"), max_length=64, blank=True)
    waybill_no = models.CharField(_("waybill number"), max_length=30, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # a pickup's address as the router read it at intake (`services/routing.py`):
    # "" (not routed), matched, ambiguous or unmatched; `routing` holds the reason, the
    # candidate unit codes and the place read ({"reason", "candidates", "place"})
    route_status = models.CharField(_("routing"), max_length=12, blank=True, default="")
    routing = models.JSONField(_("routing details"), default=dict, blank=True)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="owned_work_orders",
        db_index=False,  # wo_owner_id leads with it
        verbose_name=_("first-contact owner"),
    )
    # 指派: the one handler of the handling unit who works the order (a claim 领取 is an
    # assignment to oneself); cleared when the order leaves the unit (`services/assign.py`)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_work_orders",
        verbose_name=_("assignee"),
    )
    intake_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("intake unit"),
        db_index=False,  # wo_intake_id leads with it
    )
    handling_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("handling unit"),
        db_index=False,  # wo_unit_id and wo_unit_status_due lead with it
    )
    assisting_units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="assisted_work_orders"
    )
    # 标签: through `WorkOrderTag` (who tagged, when); written by `services/tags.py` only
    tags: models.ManyToManyField[Tag, WorkOrderTag] = models.ManyToManyField(
        "Tag", through="WorkOrderTag", blank=True, related_name="work_orders"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked",
        verbose_name=_("linked order"),
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    regulator_ref = models.CharField(_("12305 appeal reference"), max_length=40, blank=True)

    ruling = models.CharField(_("responsibility ruling"), max_length=20, blank=True)
    ruling_state = models.CharField(_("ruling state"), max_length=20, default="none")
    satisfaction = models.CharField(_("satisfaction"), max_length=30, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    version = models.PositiveIntegerField(default=1)

    # Deadlines, computed by pure code when the stage starts and stored for indexed lists.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    alert_stage = models.PositiveSmallIntegerField(default=AlertStage.NONE)
    dispatch_due_at = models.DateTimeField(null=True, blank=True)
    accept_due_at = models.DateTimeField(null=True, blank=True)
    feedback_due_at = models.DateTimeField(null=True, blank=True)
    reply_due_at = models.DateTimeField(_("reply due"), null=True, blank=True)
    breached = models.BooleanField(_("overdue"), default=False)

    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    fed_back_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="wo_number_unique"),
            models.UniqueConstraint(fields=["public_ref"], name="wo_public_ref_unique"),
        ]
        indexes = [
            models.Index(fields=["handling_unit", "status", "due_at"], name="wo_unit_status_due"),
            models.Index(fields=["status", "due_at"], name="wo_status_due"),
            models.Index(fields=["handling_unit", "-id"], name="wo_unit_id"),
            models.Index(fields=["type", "-id"], name="wo_type_id"),
            models.Index(fields=["status", "-id"], name="wo_status_id"),
            models.Index(fields=["created_at"], name="wo_created"),
            models.Index(fields=["caller_phone", "type"], name="wo_phone_type"),
            models.Index(fields=["waybill_no", "type"], name="wo_waybill_type"),
            models.Index(fields=["owner", "-id"], name="wo_owner_id"),
            models.Index(fields=["intake_unit", "-id"], name="wo_intake_id"),
            models.Index(
                fields=["alert_stage", "due_at"],
                name="wo_alert_due",
                condition=Q(due_at__isnull=False),
            ),
            models.Index(
                fields=["warn_at"],
                name="wo_warn_pending",
                condition=Q(alert_stage=0, warn_at__isnull=False),
            ),
            models.Index(
                fields=["type", "created_at"],
                name="wo_type_created",
            ),
            # The month report's units with the most open overdue orders: the few open
            # overdue orders, not a scan of every order ever made (Hot paths).
            models.Index(
                fields=["handling_unit", "created_at", "id"],  # counted from the index alone
                name="wo_overdue_open",
                condition=Q(breached=True) & ~Q(status__in=sorted(flows.terminal_statuses())),
            ),
        ]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class WorkOrderEvent(models.Model):
    """The audit trail and timeline: every transition (also status-preserving ones)."""

    order = models.ForeignKey(
        WorkOrder,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # wo_event_order_at leads with it
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["order", "at"], name="wo_event_order_at")]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action} {self.from_status}->{self.to_status}"


class Attachment(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        WorkOrderEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class DayCounter(models.Model):
    """The last sequence number of each day: numbers read 2026112800017."""

    day = models.CharField(max_length=8, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class SlaPolicy(models.Model):
    """Deadlines per type, sub-type and priority (blank = any); the most specific wins."""

    type = models.CharField(_("type"), max_length=20, choices=TYPE_CHOICES)
    subtype = models.CharField(_("sub-type"), max_length=30, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    dispatch_amount = models.PositiveIntegerField(_("dispatch within"), null=True, blank=True)
    dispatch_unit = models.CharField(max_length=20, choices=DEADLINE_UNIT_CHOICES, blank=True)
    accept_amount = models.PositiveIntegerField(_("accept within"), null=True, blank=True)
    accept_unit = models.CharField(max_length=20, choices=DEADLINE_UNIT_CHOICES, blank=True)
    feedback_amount = models.PositiveIntegerField(_("feed back within"), null=True, blank=True)
    feedback_unit = models.CharField(max_length=20, choices=DEADLINE_UNIT_CHOICES, blank=True)
    reply_amount = models.PositiveIntegerField(_("reply within"), null=True, blank=True)
    reply_unit = models.CharField(max_length=20, choices=DEADLINE_UNIT_CHOICES, blank=True)
    warn_before_minutes = models.PositiveIntegerField(_("warn minutes before"), default=60)
    director_after_minutes = models.PositiveIntegerField(
        _("tell the director minutes after the breach"), default=240
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["type", "subtype", "priority"], name="unique_sla_policy"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type}/{self.subtype or '*'}/{self.priority or '*'}"


class WorkCalendar(models.Model):
    """A unit's business hours (no unit: the default for every unit without its own)."""

    unit = models.OneToOneField(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="work_calendar"
    )
    name = models.CharField(_("name"), max_length=60)
    weekday_hours = models.CharField(
        _("weekday hours"), max_length=100, default="08:30-12:00,13:30-17:30"
    )
    weekend_hours = models.CharField(_("weekend hours"), max_length=100, blank=True)
    weekends_count = models.BooleanField(_("open every weekend"), default=False)
    official_calendar = models.BooleanField(_("follow the official holidays"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(unit__isnull=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CalendarException(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("extra holiday")
        WORKDAY = "workday", _("extra working day")

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="unique_calendar_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


class SavedFilter(models.Model):
    """A user's named view of the work-order list: the list's own filter parameters as a
    query string, checked by the list's filter form when saved (`services/saved_filters.py`)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_filters",
        db_index=False,  # wo_filter_owner_name leads with it
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="wo_filter_owner_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TagColour(models.TextChoices):
    """The small fixed palette of tag chips (the stylesheet has one class per colour)."""

    GREY = "grey", pgettext_lazy("colour", "grey")
    BLUE = "blue", pgettext_lazy("colour", "blue")
    GREEN = "green", pgettext_lazy("colour", "green")
    AMBER = "amber", pgettext_lazy("colour", "amber")
    RED = "red", pgettext_lazy("colour", "red")
    PURPLE = "purple", pgettext_lazy("colour", "purple")


class Tag(models.Model):
    """标签: a short label agents put on work orders, one list for the whole centre.
    Managed by administrators and team leads (`rules.can_manage_tags`); archived rather
    than deleted, so the orders tagged with it keep it and the list can still filter by it."""

    name = models.CharField(_("name"), max_length=20)
    colour = models.CharField(
        _("colour"), max_length=10, choices=TagColour.choices, default=TagColour.GREY
    )
    archived = models.BooleanField(pgettext_lazy("tag", "archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="wo_tag_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class WorkOrderTag(models.Model):
    """One tag on one order: who put it there and when (the timeline has the event too)."""

    order = models.ForeignKey(
        WorkOrder,
        on_delete=models.CASCADE,
        related_name="tag_links",
        db_index=False,  # wo_tag_order_tag leads with it
    )
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="links", db_index=False)
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tagged_at = models.DateTimeField(_("tagged at"))

    class Meta:
        ordering = ["tagged_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "tag"], name="wo_tag_order_tag"),
        ]
        indexes = [models.Index(fields=["tag", "-order"], name="wo_tag_tag_order")]

    def __str__(self) -> str:
        return f"{self.order_id} #{self.tag_id}"
