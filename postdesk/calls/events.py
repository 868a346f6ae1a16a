"""CTI events as typed records, and the call record built from them (pure: no database).

Outside input is parsed first into a :class:`CtiEvent` (a malformed body raises
:class:`EventInvalid` naming the field), then stored idempotently by the service. Every
check an event can fail is made here, before it reaches a group-commit batch: a
timestamp off the calendar `core.periods` accepts, a number that is no phone number,
control characters, over-long or too many values. A call's facts are a pure function of
its set of events (:func:`build_call`): the order in which the events arrived never
matters, only their timestamps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from postdesk.core.periods import FIRST_YEAR, LAST_YEAR

EVENTS: Final = ("newCall", "answer", "hangup", "wrapup", "hold", "unhold")
DIRECTIONS: Final = ("in", "out")
MAX_ID = 100
MAX_NUMBER = 40
MAX_QUEUE = 50
MAX_EXTENSION = 20
MAX_CAUSE = 40
MAX_URL = 500
MAX_USERS = 20  # Zammad's user[]: names of the users whose phones ring
MAX_USER = 150  # as long as a login may be
# A number as a PBX sends it: digits, with an optional leading "+" and single hyphens or
# spaces between groups ("0577-88123456"); "anonymous" for a withheld caller (Zammad's
# word for it).
ANONYMOUS: Final = "anonymous"
_NUMBER = re.compile(r"\+?[0-9]+(?:[ -][0-9]+)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class EventInvalid(ValueError):
    """A CTI body that cannot be accepted; `field` names the culprit."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class CtiEvent:
    event: str
    call_id: str
    timestamp: datetime
    direction: str = ""
    from_number: str = ""
    to_number: str = ""
    queue: str = ""
    agent: str = ""
    cause: str = ""
    recording_url: str = ""
    # Zammad's user[] (names of the users whose phones ring / who call out).
    users: tuple[str, ...] = ()
    source: str = "cti"

    def data(self) -> dict[str, Any]:
        """What is kept of the event besides its key (for the log and for rebuilding)."""
        out: dict[str, Any] = {}
        for name in (
            "direction",
            "from_number",
            "to_number",
            "queue",
            "agent",
            "cause",
            "recording_url",
        ):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.users:
            out["users"] = list(self.users)
        return out


def _text(body: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise EventInvalid(name, "required")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise EventInvalid(name, "must be a string")
    return _checked(name, str(value), limit, required=required)


def _checked(name: str, raw: str, limit: int, *, required: bool = False) -> str:
    text = raw.strip()
    if required and not text:
        raise EventInvalid(name, "required")
    if len(text) > limit:
        raise EventInvalid(name, "too long")
    if _CONTROL.search(text):
        raise EventInvalid(name, "control characters")
    return text


def parse_number(name: str, text: str) -> str:
    """A caller's or callee's number (already checked as text): digits with an optional
    leading "+" and hyphens or spaces between groups, or "anonymous"; empty stays empty."""
    if not text:
        return ""
    if text.lower() == ANONYMOUS:
        return ANONYMOUS
    if not _NUMBER.fullmatch(text):
        raise EventInvalid(name, "not a phone number")
    return text


def parse_timestamp(raw: Any, name: str = "timestamp") -> datetime:
    """An ISO 8601 instant with its UTC offset, within the calendar that `core.periods`
    accepts (years 1900 to 9998: its UTC value exists and every local day around it)."""
    if not isinstance(raw, str) or not raw.strip():
        raise EventInvalid(name, "required")
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise EventInvalid(name, "not an ISO 8601 date and time") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise EventInvalid(name, "needs a UTC offset")
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise EventInvalid(name, "out of range") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise EventInvalid(name, "out of range")
    return value


def parse_cti_json(body: Any) -> CtiEvent:
    """The fixed JSON format of `POST /api/v1/cti/events`."""
    if not isinstance(body, Mapping):
        raise EventInvalid("body", "must be a JSON object")
    event = _text(body, "event", 10, required=True)
    if event not in EVENTS:
        raise EventInvalid("event", "unknown event")
    call_id = _text(body, "call_id", MAX_ID, required=True)
    timestamp = parse_timestamp(body.get("timestamp"))
    direction = _text(body, "direction", 3, required=event == "newCall")
    if direction and direction not in DIRECTIONS:
        raise EventInvalid("direction", "must be in or out")
    from_number = parse_number("from", _text(body, "from", MAX_NUMBER, required=event == "newCall"))
    to_number = parse_number("to", _text(body, "to", MAX_NUMBER, required=event == "newCall"))
    agent = _text(
        body,
        "agent",
        MAX_EXTENSION,
        required=event in ("answer",) or (event == "newCall" and direction == "out"),
    )
    recording = _text(body, "recording_url", MAX_URL) or _text(body, "recording", MAX_URL)
    if recording and not recording.startswith(("http://", "https://")):
        raise EventInvalid("recording_url", "must be an http(s) URL")
    return CtiEvent(
        event=event,
        call_id=call_id,
        timestamp=timestamp,
        direction=direction,
        from_number=from_number,
        to_number=to_number,
        queue=_text(body, "queue", MAX_QUEUE),
        agent=agent,
        cause=_text(body, "cause", MAX_CAUSE),
        recording_url=recording,
    )


def zammad_form(body: Any) -> dict[str, list[str]]:
    """Zammad's JSON body as the form it stands for: each value a list of strings (its
    `user` may be one name or a list of names)."""
    if not isinstance(body, Mapping):
        raise EventInvalid("body", "must be a JSON object")
    form: dict[str, list[str]] = {}
    for key, value in body.items():
        values = value if isinstance(value, list) else [value]
        if len(values) > MAX_USERS:
            raise EventInvalid(str(key), "too many")
        for item in values:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise EventInvalid(str(key), "must be a string")
        form[str(key)] = [str(item) for item in values if item is not None]
    return form


def parse_zammad(form: Mapping[str, Sequence[str]], *, received_at: datetime) -> CtiEvent:
    """Zammad's generic CTI push (form-encoded, or JSON through `zammad_form`): newCall,
    answer and hangup with from, to, direction, callId, user[], answeringNumber, cause.
    It carries no timestamp: the time of receipt stands in. `answeringNumber` and the
    `user` names are kept as given (an extension, a login, a phone number or a name):
    the service looks them up (`services.zammad_event_resolve`)."""

    def one(name: str, limit: int, *, required: bool = False) -> str:
        values = form.get(name) or ()
        return _checked(name, values[0] if values else "", limit, required=required)

    event = one("event", 10, required=True)
    if event not in ("newCall", "answer", "hangup"):
        raise EventInvalid("event", "unknown event")
    call_id = one("callId", MAX_ID, required=True)
    direction = one("direction", 3, required=event == "newCall")
    if direction and direction not in DIRECTIONS:
        raise EventInvalid("direction", "must be in or out")
    from_number = parse_number("from", one("from", MAX_NUMBER, required=event == "newCall"))
    to_number = parse_number("to", one("to", MAX_NUMBER))
    names = [*form.get("user[]", ()), *form.get("user", ())]
    if len(names) > MAX_USERS:
        raise EventInvalid("user", "too many")
    users = tuple(text for text in (_checked("user", u, MAX_USER) for u in names) if text)
    return CtiEvent(
        event=event,
        call_id=call_id,
        timestamp=received_at,
        direction=direction,
        from_number=from_number,
        to_number=to_number,
        queue=one("queue", MAX_QUEUE),
        agent=one("answeringNumber", MAX_USER),
        cause=one("cause", MAX_CAUSE),
        users=users,
        source="zammad",
    )


# --------------------------------------------------------------------- building a call


# The source of a hangup the housekeeping sweep wrote for a call whose hangup never
# came (`services.housekeeping`): a real hangup, whenever it arrives, wins over it.
SWEEP_SOURCE: Final = "sweep"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    event: str
    timestamp: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    source: str = "cti"


@dataclass(frozen=True, slots=True)
class Leg:
    """One agent's part of a call: from its answer to the next agent's answer (a
    transfer) or the hangup."""

    extension: str
    answered_at: datetime
    ended_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "extension": self.extension,
            "answered_at": self.answered_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
        }


@dataclass(frozen=True, slots=True)
class CallFacts:
    direction: str
    from_number: str
    to_number: str
    queue: str
    agent_extension: str
    ringing_extension: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    wrapup_at: datetime | None
    hold_seconds: float
    cause: str
    recording_url: str
    outcome: str
    wait_seconds: float | None
    talk_seconds: float | None
    acw_seconds: float | None
    legs: tuple[Leg, ...] = ()


def _legs(answers: Sequence[StoredEvent], ended_at: datetime | None) -> tuple[Leg, ...]:
    """A second answer from another extension is a transfer: the call moves to it, and
    the earlier agent's leg ends there. Answers from the same extension are one leg."""
    starts: list[tuple[str, datetime]] = []
    for answer in answers:  # in time order
        extension = str(answer.data.get("agent") or "")
        if extension and (not starts or starts[-1][0] != extension):
            starts.append((extension, answer.timestamp))
    return tuple(
        Leg(
            extension=extension,
            answered_at=at,
            ended_at=starts[i + 1][1] if i + 1 < len(starts) else ended_at,
        )
        for i, (extension, at) in enumerate(starts)
    )


def _seconds(delta: timedelta) -> float:
    return round(delta.total_seconds(), 3)


def _first(events: Iterable[StoredEvent], key: str) -> str:
    for e in events:
        value = e.data.get(key)
        if value:
            return str(value)
    return ""


def build_call(events: Sequence[StoredEvent], *, short_abandon_seconds: float) -> CallFacts:
    """The call as its events' timestamps describe it (arrival order is irrelevant)."""
    if not events:
        raise ValueError("a call needs at least one event")
    ordered = sorted(events, key=lambda e: (e.timestamp, EVENTS.index(e.event)))
    by_kind: dict[str, list[StoredEvent]] = {k: [] for k in EVENTS}
    for e in ordered:
        by_kind[e.event].append(e)
    new_calls = by_kind["newCall"]
    started_at = new_calls[0].timestamp if new_calls else ordered[0].timestamp
    answers = by_kind["answer"]
    hangups = [e for e in by_kind["hangup"] if e.source != SWEEP_SOURCE] or by_kind["hangup"]
    wrapups = by_kind["wrapup"]
    answered_at = answers[0].timestamp if answers else None
    ended_at = hangups[0].timestamp if hangups else None
    wrapup_at = wrapups[-1].timestamp if wrapups else None
    direction = _first(new_calls, "direction") or _first(ordered, "direction") or "in"
    header = new_calls or ordered
    legs = _legs(answers, ended_at)
    agent_extension = (
        (legs[-1].extension if legs else "")  # the last to answer has the call
        or (_first(new_calls, "agent") if direction == "out" else "")
        or _first(wrapups + by_kind["hold"] + by_kind["unhold"] + hangups, "agent")
    )
    # the phone that rings last: a queue that rings one agent after another sends a
    # newCall naming each (the first may name none: the call entered the queue)
    ringing = _first(reversed(new_calls), "agent") if direction == "in" else ""

    hold = 0.0
    hold_start: datetime | None = None
    for e in ordered:
        if e.event == "hold" and hold_start is None:
            hold_start = e.timestamp
        elif e.event == "unhold" and hold_start is not None:
            hold += max(_seconds(e.timestamp - hold_start), 0.0)
            hold_start = None
    if hold_start is not None and ended_at is not None and ended_at > hold_start:
        hold += _seconds(ended_at - hold_start)

    if answered_at is not None:
        outcome = "answered"
    elif ended_at is None:
        outcome = ""
    elif direction == "out":
        outcome = "missed"
    elif _seconds(ended_at - started_at) <= short_abandon_seconds:
        outcome = "short_abandoned"
    else:
        outcome = "abandoned"

    wait_end = answered_at or ended_at
    wait = max(_seconds(wait_end - started_at), 0.0) if wait_end is not None else None
    talk = (
        max(_seconds(ended_at - answered_at), 0.0)
        if answered_at is not None and ended_at is not None
        else None
    )
    acw = (
        max(_seconds(wrapup_at - ended_at), 0.0)
        if wrapup_at is not None and ended_at is not None
        else None
    )
    return CallFacts(
        direction=direction,
        from_number=_first(header, "from_number"),
        to_number=_first(header, "to_number"),
        queue=_first(header, "queue") or _first(ordered, "queue"),
        agent_extension=agent_extension,
        ringing_extension=ringing,
        started_at=started_at,
        answered_at=answered_at,
        ended_at=ended_at,
        wrapup_at=wrapup_at,
        hold_seconds=round(hold, 3),
        cause=_first(hangups, "cause"),
        recording_url=_first(reversed(ordered), "recording_url"),
        outcome=outcome,
        wait_seconds=wait,
        talk_seconds=talk,
        acw_seconds=acw,
        legs=legs,
    )
