"""Workforce: the forecast's manual overrides, shifts and rosters, the seat map
(定置定位图), shift handovers (交接班) and the reports that go up at once (设备故障,
重大情况, 商机)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Skill(models.TextChoices):
    ENGLISH = "english", _("English")
    COMPLAINTS = "complaints", _("complaints")


class ForecastOverride(models.Model):
    """A lead's own figure of offered calls for one half hour of one centre, replacing
    the forecast's."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField(_("interval start"))
    calls = models.FloatField(_("calls"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("forecast override")
        verbose_name_plural = _("forecast overrides")
        constraints = [
            models.UniqueConstraint(fields=["unit", "start"], name="unique_forecast_override")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.start:%Y-%m-%d %H:%M} {self.calls}"


class Shift(models.Model):
    """A shift pattern: 早班, 中班, 晚班 or a custom one. `end` before `start` means it
    ends the next day (a night shift)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=30)
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["position", "start", "code"]

    def __str__(self) -> str:
        return f"{self.name} {self.start:%H:%M}–{self.end:%H:%M}"


class AgentSkill(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workforce_skills"
    )
    skill = models.CharField(_("skill"), max_length=20, choices=Skill.choices)

    class Meta:
        verbose_name = _("agent skill")
        verbose_name_plural = _("agent skills")
        constraints = [models.UniqueConstraint(fields=["user", "skill"], name="unique_agent_skill")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.skill}"


class DayOffRequest(models.Model):
    """A day an agent asked not to work; the roster keeps it free."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="days_off"
    )
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("requested day off")
        verbose_name_plural = _("requested days off")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="unique_day_off")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class Roster(models.Model):
    """One team's roster for one week (Monday first)."""

    team = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField(_("week"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # how it was built: the rules, the solver's status and figures
    rules = models.JSONField(default=dict)
    solver = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["team", "week_start"], name="unique_roster_week")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.week_start}"


class RosterEntry(models.Model):
    """One agent on one shift on one day."""

    class Source(models.TextChoices):
        SOLVER = "solver", _("planned")
        MANUAL = "manual", _("edited by hand")
        SWAP = "swap", _("swapped")

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roster_entries"
    )
    day = models.DateField(_("day"))
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SOLVER)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["day", "shift__start", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="unique_roster_user_day")
        ]
        indexes = [models.Index(fields=["day"], name="rosterentry_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.shift_id}"


class SwapRequest(models.Model):
    """An agent asks to swap a shift with a colleague's (or to give it to a colleague who
    is free that day); the lead approves or rejects."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("awaiting approval", "pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(RosterEntry, on_delete=models.CASCADE, related_name="+")
    colleague = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # the colleague's entry taken in return (None: the colleague is free that day)
    colleague_entry = models.ForeignKey(
        RosterEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.requester_id} ↔ {self.colleague_id} ({self.status})"


class FloorPlan(models.Model):
    """The floor of one centre as a grid of rows × columns."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    rows = models.PositiveSmallIntegerField(_("rows"), default=6)
    cols = models.PositiveSmallIntegerField(_("columns"), default=8)

    class Meta:
        verbose_name = _("floor plan")
        verbose_name_plural = _("floor plans")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Seat(models.Model):
    """One numbered position on the floor plan: an agent's seat, the lead's desk or a
    piece of equipment."""

    class Kind(models.TextChoices):
        SEAT = "seat", _("seat")
        LEAD_DESK = "lead_desk", _("lead's desk")
        EQUIPMENT = "equipment", _("equipment")

    plan = models.ForeignKey(FloorPlan, on_delete=models.CASCADE, related_name="seats")
    number = models.CharField(_("number"), max_length=20)
    row = models.PositiveSmallIntegerField(_("row"))
    col = models.PositiveSmallIntegerField(_("column"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SEAT)
    label = models.CharField(_("label"), max_length=60, blank=True)
    equipment = models.CharField(_("equipment"), max_length=200, blank=True)
    occupant = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="seat",
        verbose_name=_("sits here"),
    )

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["plan_id", "row", "col"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_seat_number"),
            models.UniqueConstraint(fields=["plan", "row", "col"], name="unique_seat_position"),
        ]

    def __str__(self) -> str:
        return self.number


class Handover(models.Model):
    """A shift handover (交接班): what the outgoing lead hands to the next shift."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.SET_NULL)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["unit", "created_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="handover_open",
            )
        ]

    def __str__(self) -> str:
        return self.number


class HandoverItem(models.Model):
    class Kind(models.TextChoices):
        WORK_ORDER = "work_order", _("work order")
        NOTICE = "notice", _("notice")
        CALL = "call", _("notable call")
        EQUIPMENT = "equipment", _("equipment")
        MANAGEMENT = "management", _("management notice")
        NOTE = "note", _("note")

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    ref = models.CharField(_("reference"), max_length=64, blank=True)
    text = models.CharField(_("text"), max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}"


class HandoverComment(models.Model):
    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.handover_id} {self.author_id}"


class InternalReport(models.Model):
    """A report that goes up at once: an equipment fault to 运维部, a major situation to
    the director, a business lead to 市场经营部. Its status moves only through
    `services.internal_report_act` by the table in `report_flows.py`."""

    class Kind(models.TextChoices):
        EQUIPMENT_FAULT = "equipment_fault", _("equipment fault")
        MAJOR_INCIDENT = "major_incident", _("major situation")
        SALES_LEAD = "sales_lead", _("business lead")

    number = models.CharField(_("number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("to unit")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reporter_unit = models.ForeignKey(
        "org.Unit", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.SET_NULL)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    work_order_number = models.CharField(_("work order"), max_length=20, blank=True)
    product = models.CharField(_("product"), max_length=30, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # a major situation: the director's acknowledgement, and how often it was chased
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    chase_count = models.PositiveIntegerField(default=0)
    last_chased_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("internal report")
        verbose_name_plural = _("internal reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "status"], name="report_kind_status"),
            models.Index(
                fields=["last_chased_at"],
                condition=Q(kind="major_incident", acknowledged_at__isnull=True),
                name="report_unacknowledged",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InternalReportEvent(models.Model):
    report = models.ForeignKey(InternalReport, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"


class CallTally(models.Model):
    """Inbound calls of one closed local day and half hour, per unit of the calls' scope
    (the answering agent's unit, else the unit whose queue took the call — as
    `calls.selectors.calls_visible` scopes them): what the forecast reads instead of the
    raw calls for days in `TalliedDay` (`services.tallies`, ARCHITECTURE "Hot paths")."""

    day = models.DateField()
    slot = models.PositiveSmallIntegerField()  # 0–47, the local half hour
    unit = models.ForeignKey(
        "org.Unit", null=True, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    offered = models.PositiveIntegerField()
    handled = models.PositiveIntegerField()
    handle_seconds = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "slot", "unit"], name="call_tally_once"),
        ]

    def __str__(self) -> str:
        return f"{self.day} #{self.slot}: {self.offered}"


class TalliedDay(models.Model):
    """A local day whose calls are in `CallTally` (tallied after it closed)."""

    day = models.DateField(primary_key=True)
    tallied_at = models.DateTimeField()
    calls = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.day}: {self.calls}"
