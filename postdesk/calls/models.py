"""Calls: the CTI event log, the call record built from it, agent states, CTI tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CtiToken(models.Model):
    """A token a PBX (or its CTI script) uses to post events. Only its SHA-256 is kept."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("CTI token")
        verbose_name_plural = _("CTI tokens")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Call(models.Model):
    """One call, rebuilt from its events' timestamps after every event (never from the
    order in which events arrived)."""

    class Direction(models.TextChoices):
        IN = "in", _("inbound")
        OUT = "out", _("outbound")

    class Outcome(models.TextChoices):
        OPEN = "", _("in progress")
        ANSWERED = "answered", _("answered")
        ABANDONED = "abandoned", _("abandoned")
        SHORT_ABANDONED = "short_abandoned", _("short abandoned")
        MISSED = "missed", pgettext_lazy("call outcome", "missed")

    call_id = models.CharField(_("call id"), max_length=100, unique=True)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.IN
    )
    from_number = models.CharField(
        pgettext_lazy("calling number", "from"), max_length=40, blank=True
    )
    to_number = models.CharField(pgettext_lazy("called number", "to"), max_length=40, blank=True)
    # The caller's number in canonical form (inbound: from; outbound: to), for lookups.
    caller_number = models.CharField(max_length=40, blank=True, db_index=True)
    queue = models.CharField(_("queue"), max_length=50, blank=True)
    agent_extension = models.CharField(_("extension"), max_length=20, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        verbose_name=_("agent"),
    )
    # The extension whose phone rang (inbound) before anyone answered.
    ringing_extension = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField(pgettext_lazy("call start", "started"), db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    wrapup_at = models.DateTimeField(_("wrap-up done"), null=True, blank=True)
    wait_seconds = models.FloatField(_("wait (s)"), null=True, blank=True)
    talk_seconds = models.FloatField(_("talk (s)"), null=True, blank=True)
    hold_seconds = models.FloatField(_("hold (s)"), default=0)
    acw_seconds = models.FloatField(_("after-call work (s)"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, blank=True, default=""
    )
    cause = models.CharField(_("hangup cause"), max_length=40, blank=True)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    wrapup_code = models.CharField(_("wrap-up code"), max_length=30, blank=True)
    wrapup_note = models.CharField(_("wrap-up note"), max_length=500, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        verbose_name=_("customer"),
    )
    # The unit answering the call's queue (`CallQueue`): who may see it while nobody
    # has answered it. Rebuilt with the call.
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    events_count = models.PositiveIntegerField(default=0)
    # Who had the call, in order: a second answer from another extension is a transfer
    # ([{"extension", "answered_at", "ended_at"}], rebuilt with the call).
    legs = models.JSONField(default=list, blank=True)
    # The call's events (event, timestamp, data, source), kept beside the row so one
    # locked read gives everything needed to rebuild the call; CallEvent is the log.
    event_log = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["caller_number", "-started_at"], name="call_caller_recent"),
            models.Index(fields=["agent", "-started_at"], name="call_agent_recent"),
            # covering for the workforce's call history by half hour (issue 18): its GROUP BY
            # over 2,000,000 calls reads the index alone (SQLite: 4.2 s from the table)
            models.Index(
                fields=["direction", "started_at", "talk_seconds", "acw_seconds", "agent", "unit"],
                name="call_dir_started",
            ),
            # the open calls only (the periodic sweep of calls whose hangup never came)
            models.Index(
                fields=["started_at"],
                condition=models.Q(ended_at__isnull=True),
                name="call_open_started",
            ),
        ]

    def __str__(self) -> str:
        return self.call_id


class CallQueue(models.Model):
    """A PBX queue and the unit whose centre answers it (a county bureau's own 11185
    queue, say): its calls belong to that unit while nobody has answered them, so the
    unit's supervisors see them and other county centres do not. A queue not listed
    belongs to the city centre."""

    code = models.CharField(_("queue"), max_length=50, unique=True)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )

    class Meta:
        verbose_name = _("call queue")
        verbose_name_plural = _("call queues")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class BlockedNumber(models.Model):
    """A caller the centre refuses (nuisance, abuse): Zammad's CTI push is answered
    `{"action": "reject", "reason": "busy"}` for a new inbound call from it, and the
    PBX hangs up. Kept by administrators; the number is stored in canonical form."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked number")
        verbose_name_plural = _("blocked numbers")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class CallEvent(models.Model):
    """One CTI event as received. (call_id, event, timestamp) is stored once."""

    class Kind(models.TextChoices):
        NEW_CALL = "newCall", "newCall"
        ANSWER = "answer", "answer"
        HANGUP = "hangup", "hangup"
        WRAPUP = "wrapup", "wrapup"
        HOLD = "hold", "hold"
        UNHOLD = "unhold", "unhold"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    call_key = models.CharField(max_length=100)
    event = models.CharField(max_length=10, choices=Kind.choices)
    timestamp = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=10, default="cti")  # cti | zammad | workbench
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("CTI event")
        verbose_name_plural = _("CTI events")
        ordering = ["timestamp", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call_key", "event", "timestamp"], name="unique_cti_event"
            )
        ]
        indexes = [models.Index(fields=["call", "timestamp"], name="callevent_call_ts")]

    def __str__(self) -> str:
        return f"{self.call_key} {self.event} {self.timestamp:%H:%M:%S}"


class AgentState(models.Model):
    """The current state of one agent; `since` is when it began."""

    class State(models.TextChoices):
        LOGGED_OUT = "logged_out", _("logged out")
        READY = "ready", _("ready")
        NOT_READY = "not_ready", _("not ready")
        ON_CALL = "on_call", _("on a call")
        AFTER_CALL = "after_call", _("after-call work")

    class Reason(models.TextChoices):
        NONE = "", _("—")
        BREAK = "break", _("break")
        MEAL = "meal", _("meal")
        TRAINING = "training", _("training")
        MEETING = "meeting", _("meeting")
        COACHING = "coaching", _("coaching")
        OUTBOUND = "outbound", _("outbound work")
        OTHER = "other", _("other")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_state"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.LOGGED_OUT
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    since = models.DateTimeField(_("since"))
    # The state to return to when a call ends and its wrap-up is done.
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("agent state")
        verbose_name_plural = _("agent states")

    def __str__(self) -> str:
        return f"{self.user} {self.state}"


class AgentStatePeriod(models.Model):
    """A closed period an agent spent in one state (the time in each state is kept)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_state_periods"
    )
    state = models.CharField(max_length=20, choices=AgentState.State.choices)
    reason = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    seconds = models.FloatField()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "started_at"], name="agentperiod_user_start")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} {self.seconds:.0f}s"


class WrapupCode(models.Model):
    """The reasons an agent can give a finished call (reference data for the admin)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    label = models.CharField(pgettext_lazy("wrap-up code name", "label"), max_length=60)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("wrap-up code")
        verbose_name_plural = _("wrap-up codes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label


class CallWorkOrder(models.Model):
    """A work order opened from a call (its number; the work-order app owns the order)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="work_orders")
    work_order_number = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "work_order_number"], name="unique_call_wo")
        ]

    def __str__(self) -> str:
        return self.work_order_number
