"""Six months of demo history ending today, so the trend chart, the month reports, the
league tables and the wallboard's day have figures from the first `make run`.

Written in bulk (`bulk_create`) with the stored fields the services would set — numbers
from the day counters, deadlines, `breached`, `replied_at`, `closed_at`, the orders'
events with their rulings and satisfaction, calls with their answer and wrap-up times,
delivery attempts with their deadline, notices with their feedback — and a few quality
evaluations through the service. Deterministic (one seeded random per part) and
idempotent: each part checks its own mark (`hist-` call ids and waybill serials, the
notices' text) and adds nothing a second time. Volumes are modest: about 20 orders,
200 calls, 40 attempts and 5 notices a working day.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction
from django.utils import timezone

from postdesk.core import fake

LOCAL = ZoneInfo("Asia/Shanghai")
DAYS = 183
MARK = "hist-"
NOTICE_MARK = "演示历史"
# calls per half hour from 08:00 (24 slots to 20:00) on a weekday: the morning peak
HALF_HOUR_PROFILE = [
    4, 7, 10, 13, 14, 14, 13, 12, 9, 7, 8, 10,
    11, 11, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2,
]  # fmt: skip
WEEKDAY_FACTOR = [1.15, 1.0, 1.0, 0.95, 1.05, 0.55, 0.45]  # Mon … Sun


def seed_history(stdout: Any = None, *, now: datetime | None = None) -> dict[str, int]:
    """Add the history (nothing when it is there). Returns the rows added per kind."""
    now = now or timezone.now()
    today = timezone.localtime(now, LOCAL).date()
    days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
    added: dict[str, int] = {}
    parts: list[tuple[str, Callable[[list[date], datetime], int]]] = [
        ("work_orders", _work_orders),
        ("calls", _calls),
        ("attempts", _attempts),
        ("notices", _notices),
        ("evaluations", _evaluations),
        ("tags", _tags),
    ]
    for name, part in parts:
        with transaction.atomic():
            added[name] = part(days, now)
    if stdout is not None:
        stdout.write("demo history: " + ", ".join(f"{k} {v}" for k, v in added.items()))
    return added


def _at(day: date, rng: random.Random, first: int = 8, last: int = 19) -> datetime:
    hour = rng.randint(first, last)
    return datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=LOCAL)


# ----------------------------------------------------------------------- work orders


def _work_orders(days: list[date], now: datetime) -> int:
    from postdesk.org.models import Role, Unit, User
    from postdesk.workorders.demo import BRANCH_CODES, TITLES, TYPE_WEIGHTS, _text, _waybill
    from postdesk.workorders.models import DayCounter, WorkOrder, WorkOrderEvent
    from postdesk.workorders.public_ref import new_public_ref

    if WorkOrder.objects.filter(call_id__startswith=MARK).exists():
        return 0
    agents = list(User.objects.filter(role=Role.AGENT, is_active=True).order_by("pk"))
    lead = User.objects.filter(role=Role.LEAD).order_by("pk").first()
    units = {u.code: u for u in Unit.objects.filter(code__in=BRANCH_CODES)}
    handlers: dict[int, User] = {}
    for user in User.objects.filter(unit__in=list(units.values())).order_by("pk"):
        handlers.setdefault(user.unit_id or 0, user)
    intake = Unit.objects.filter(code="WZ-11185-HW").first()
    if not agents or not units or lead is None:
        return 0
    rng = random.Random(20261204)
    types = [t for t, w in TYPE_WEIGHTS for _ in range(w)]
    unit_codes = sorted(units)
    unit_weights = [
        6 if c.startswith("WZ-LC") else 3 if c.startswith("WZ") else 2 for c in unit_codes
    ]
    counters = dict(DayCounter.objects.values_list("day", "last"))
    used = set(WorkOrder.objects.values_list("public_ref", flat=True))
    orders: list[WorkOrder] = []
    events: list[list[dict[str, Any]]] = []
    for day in days:
        count = round(rng.randint(18, 28) * WEEKDAY_FACTOR[day.weekday()])
        key = day.strftime("%Y%m%d")
        for _n in range(count):
            counters[key] = counters.get(key, 0) + 1
            while (ref := new_public_ref()) in used:
                pass
            used.add(ref)
            type_ = rng.choice(types)
            subtype, title, body = rng.choice(TITLES[type_])
            created = _at(day, rng)
            agent = rng.choice(agents)
            order = WorkOrder(
                number=f"{key}{counters[key]:05d}",
                public_ref=ref,
                type=type_,
                subtype=subtype,
                priority="urgent" if type_ == "complaint" and rng.random() < 0.1 else "normal",
                title=title,
                description=_text(rng, body),
                caller_phone="+86" + fake.mobile(rng),
                caller_name=fake.person_name(rng),
                call_id=f"{MARK}{key}-{counters[key]:04d}",
                waybill_no=_waybill(rng) if type_ in {"tracing", "complaint", "pickup"} else "",
                owner=agent,
                intake_unit=intake,
                created_at=created,
            )
            trail = _life(order, rng, now, agent, lead, units, unit_codes, unit_weights, handlers)
            order.updated_at = max(e["at"] for e in trail)
            orders.append(order)
            events.append(trail)
    WorkOrder.objects.bulk_create(orders, batch_size=500)
    # bulk_create sets the pks on PostgreSQL and SQLite ≥ 3.35; read them back otherwise
    if orders and orders[0].pk is None:
        by_number = dict(
            WorkOrder.objects.filter(call_id__startswith=MARK).values_list("number", "pk")
        )
        for order in orders:
            order.pk = by_number[order.number]
    WorkOrderEvent.objects.bulk_create(
        [
            WorkOrderEvent(order_id=o.pk, **e)
            for o, trail in zip(orders, events, strict=True)
            for e in trail
        ],
        batch_size=1000,
    )
    for key, last in counters.items():
        DayCounter.objects.update_or_create(day=key, defaults={"last": last})
    from postdesk.workorders.demo import _index

    _index(orders[0].pk if orders else 0, None)
    return len(orders)


def _life(
    order: Any,
    rng: random.Random,
    now: datetime,
    agent: Any,
    lead: Any,
    units: dict[str, Any],
    unit_codes: list[str],
    unit_weights: list[int],
    handlers: dict[int, Any],
) -> list[dict[str, Any]]:
    """The order's events from intake to close, setting the fields each step stores."""
    t: datetime = order.created_at
    trail: list[dict[str, Any]] = []

    def step(action: str, to: str, after_minutes: float, actor: Any, **extra: Any) -> datetime:
        nonlocal t
        t = t + timedelta(minutes=after_minutes)
        frm = trail[-1]["to_status"] if trail else ""
        trail.append(
            {"at": t, "actor": actor, "action": action, "from_status": frm, "to_status": to} | extra
        )
        order.status = to
        return t

    step("create", "new", 0, agent)
    age = now - order.created_at
    if order.type in {"query", "consultation"}:
        order.closed_at = step("answer", "closed", rng.uniform(2, 15), agent, text="已答复客户。")
        return trail
    if order.type == "booking":
        order.fed_back_at = step("fulfil", "fulfilled", rng.uniform(60, 600), agent)
        order.closed_at = step("close", "closed", rng.uniform(10, 120), agent)
        return trail
    unit = units[rng.choices(unit_codes, unit_weights)[0]]
    handler = handlers.get(unit.pk, lead)
    order.handling_unit = unit
    order.dispatched_at = step("dispatch", "dispatched", rng.uniform(3, 40), agent, unit=unit)
    complaint = order.type in {"complaint", "suggestion"}
    reply_days = 3 if order.priority == "urgent" else 7
    order.reply_due_at = order.created_at + timedelta(days=reply_days) if complaint else None
    late = rng.random() < 0.09
    # the branch's working pace: hours, or days when late
    feed_hours = rng.uniform(30, 90) if late else rng.uniform(2, 40)
    order.feedback_due_at = order.dispatched_at + timedelta(hours=48)
    if age < timedelta(hours=feed_hours + 6):  # still open: in hand at the branch
        order.accepted_at = step("accept", "processing", rng.uniform(10, 90), handler)
        order.due_at = order.feedback_due_at
        order.warn_at = order.due_at - timedelta(hours=1)
        order.breached = order.due_at <= now
        return trail
    order.accepted_at = step("accept", "processing", rng.uniform(10, 120), handler)
    ruling = ""
    if order.type == "complaint":
        ruling = rng.choices(["responsible", "not_responsible", "partly"], [3, 5, 2])[0]
        order.ruling, order.ruling_state = ruling, "ruled"
    order.fed_back_at = step(
        "feedback",
        "fed_back",
        feed_hours * 60,
        handler,
        text="经核查已处理，已与客户沟通。",
        data={"ruling": ruling} if ruling else {},
    )
    order.breached = late
    if complaint and order.reply_due_at is not None and rng.random() < 0.04:
        # never replied: against the reply rate once its time limit has passed
        order.due_at = order.reply_due_at
        order.breached = order.due_at <= now
        return trail
    if complaint or order.type == "tracing":
        order.replied_at = step(
            "reply", "replied", rng.uniform(30, 600), agent, text="已回复客户。"
        )
        if order.reply_due_at is not None and order.replied_at > order.reply_due_at:
            order.breached = True
    satisfaction = rng.choices(["satisfied", "basically_satisfied", "dissatisfied"], [7, 2, 1])[0]
    if complaint and order.replied_at and now - order.replied_at > timedelta(days=1):
        step(
            "follow_up",
            order.status,
            rng.uniform(600, 1800),
            agent,
            data={"satisfaction": satisfaction},
        )
        order.satisfaction = satisfaction
        if satisfaction == "dissatisfied" and rng.random() < 0.5:
            order.reopen_count = 1
            step("reopen", "processing", 30, lead, text="客户不满意，重新处理。")
            step("feedback", "fed_back", rng.uniform(240, 1440), handler, text="已再次处理。")
            step("reply", "replied", rng.uniform(30, 240), agent, text="已再次回复客户。")
    if now - t > timedelta(hours=2):
        order.closed_at = step("close", "closed", rng.uniform(30, 240), agent)
    return trail


# ----------------------------------------------------------------------------- calls


def _defaults(model: type[models.Model], now: datetime) -> dict[str, Any]:
    """Every column of `model` (but the id) at its default; `auto_now` ones at now."""
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if not field.primary_key:
            auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            values[field.attname] = now if auto else field.get_default()
    return values


def _row(blank: dict[str, Any], **values: Any) -> SimpleNamespace:
    return SimpleNamespace(**(blank | values))


def _insert(model: type[models.Model], rows: list[SimpleNamespace]) -> None:
    """INSERT the rows in one `executemany` per 2 000: `bulk_create` without building a
    model instance per row (the calls are most of the history's rows)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    converted = [isinstance(f, models.JSONField | models.DateTimeField) for f in fields]

    def values(row: SimpleNamespace) -> list[Any]:
        return [
            f.get_db_prep_save(getattr(row, f.attname), connection)
            if c
            else getattr(row, f.attname)
            for f, c in zip(fields, converted, strict=True)
        ]

    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})"  # noqa: S608 — our model's table and columns
    with connection.cursor() as cursor:
        for first in range(0, len(rows), 2000):
            cursor.executemany(
                sql,
                [values(row) for row in rows[first : first + 2000]],
            )


def _tags(days: list[date], now: datetime) -> int:
    """A demo tag (标签) on about one history order in six, the newest ones among them, so
    the list's first page shows chips: put there by the order's owner after the last step of
    its life so far (its timeline keeps the flow's steps together)."""
    from postdesk.workorders.models import Tag, WorkOrder, WorkOrderEvent, WorkOrderTag

    history = WorkOrder.objects.filter(call_id__startswith=MARK)
    if WorkOrderTag.objects.filter(order__in=history).exists():
        return 0
    tags = list(Tag.objects.filter(archived=False).order_by("pk"))
    if not tags:
        return 0
    rng = random.Random(20261205)
    links: list[WorkOrderTag] = []
    events: list[WorkOrderEvent] = []
    rows = history.order_by("-id").only("id", "owner_id", "status", "updated_at")
    for order in rows.iterator(chunk_size=2000):
        if rng.random() > 1 / 6:
            continue
        at = min(order.updated_at + timedelta(minutes=rng.randint(1, 30)), now)
        for tag in rng.sample(tags, 2 if rng.random() < 0.2 else 1):
            links.append(
                WorkOrderTag(order=order, tag=tag, tagged_by_id=order.owner_id, tagged_at=at)
            )
            events.append(
                WorkOrderEvent(
                    order=order, at=at, actor_id=order.owner_id, action="tag",
                    from_status=order.status, to_status=order.status,
                    data={"tag": tag.name, "tag_id": tag.pk},
                )
            )  # fmt: skip
    WorkOrderTag.objects.bulk_create(links, batch_size=2000)
    WorkOrderEvent.objects.bulk_create(events, batch_size=2000)
    return len(links)


def _calls(days: list[date], now: datetime) -> int:
    from postdesk.calls.models import Call, WrapupCode
    from postdesk.org.models import Role, User

    if Call.objects.filter(call_id__startswith=MARK).exists():
        return 0
    agents = list(
        User.objects.filter(role=Role.AGENT, is_active=True)
        .exclude(extension="")
        .order_by("extension")
    )
    if not agents:
        return 0
    codes = list(WrapupCode.objects.order_by("position").values_list("code", flat=True)) or [""]
    weights = [max(1, 8 - i) for i in range(len(codes))]
    rng = random.Random(11185_2026)
    rows: list[SimpleNamespace] = []
    blank = _defaults(Call, now)
    for day in days:
        factor = WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.85, 1.15)
        key = day.strftime("%Y%m%d")
        n = 0
        for slot, base in enumerate(HALF_HOUR_PROFILE):
            start = datetime.combine(day, time(8), tzinfo=LOCAL) + timedelta(minutes=30 * slot)
            volume = round(base * factor * rng.uniform(0.8, 1.2))
            busy = base * factor > 11  # the peak: longer waits, more hang up
            for _i in range(volume):
                n += 1
                started = start + timedelta(seconds=rng.uniform(0, 1800))
                wait = rng.expovariate(1 / (35 if busy else 12))
                abandoned = rng.random() < (0.12 if busy else 0.04)
                row = _row(
                    blank,
                    call_id=f"{MARK}{key}-{n:04d}",
                    direction=Call.Direction.IN,
                    from_number=fake.mobile(rng),
                    to_number="11185",
                    queue="11185",
                    started_at=started,
                    wait_seconds=round(wait, 1),
                    events_count=3,
                )
                row.caller_number = "+86" + row.from_number
                if abandoned:
                    row.ended_at = started + timedelta(seconds=wait)
                    row.outcome = (
                        Call.Outcome.ABANDONED if wait >= 5 else Call.Outcome.SHORT_ABANDONED
                    )
                    row.cause = "originatorCancel"
                else:
                    agent = rng.choice(agents)
                    talk = 40 + rng.expovariate(1 / 140)
                    acw = rng.uniform(10, 60)
                    row.agent_id, row.agent_extension = agent.pk, agent.extension
                    row.answered_at = started + timedelta(seconds=wait)
                    row.ended_at = row.answered_at + timedelta(seconds=talk)
                    row.wrapup_at = row.ended_at + timedelta(seconds=acw)
                    row.talk_seconds, row.acw_seconds = round(talk, 1), round(acw, 1)
                    row.outcome, row.cause = Call.Outcome.ANSWERED, "normalClearing"
                    row.wrapup_code = rng.choices(codes, weights)[0]
                    row.legs = [
                        {
                            "extension": agent.extension,
                            "answered_at": row.answered_at.isoformat(),
                            "ended_at": row.ended_at.isoformat(),
                        }
                    ]
                rows.append(row)
    _insert(Call, rows)
    return len(rows)


# --------------------------------------------------------------- delivery attempts


def _attempts(days: list[date], now: datetime) -> int:
    """Delivery attempts (the two delivery targets' denominator) at the demo offices:
    most results online in time, a few online late, a few never put online."""
    from postdesk.tracking.demo import OFFICES
    from postdesk.tracking.kpi_rules import result_deadline
    from postdesk.tracking.models import Attempt
    from postdesk.tracking.waybill import s10_check_digit

    first_serial = 60_000_000
    mark = f"EH{first_serial:08d}"
    if Attempt.objects.filter(waybill_no__startswith=mark[:5]).exists():
        return 0
    rng = random.Random(325000)
    rows: list[Attempt] = []
    serial = first_serial
    for day in days:
        for _n in range(round(rng.randint(30, 45) * (0.6 if day.weekday() == 6 else 1.0))):
            number = f"{serial:08d}"
            serial += 1
            office = OFFICES[rng.randrange(len(OFFICES))][0]
            ofd = _at(day, rng, 7, 9)
            result_time = ofd + timedelta(minutes=rng.uniform(40, 600))
            failed = rng.random() < 0.08
            roll = rng.random()
            if roll < 0.015:
                recorded = None  # never put online
            elif roll < 0.05:
                recorded = result_time + timedelta(hours=rng.uniform(13, 30))  # online late
            else:
                recorded = result_time + timedelta(minutes=rng.uniform(1, 40))
            rows.append(
                Attempt(
                    waybill_no=f"EH{number}{s10_check_digit(number)}CN",
                    office_code=office,
                    day=day,
                    ofd_time=ofd,
                    ofd_operator=f"{office}-{rng.randint(1, 5):02d}",
                    result_code="DELIVERY_FAILED" if failed else "DELIVERED",
                    result_time=result_time,
                    result_recorded_at=recorded,
                    result_operator=f"{office}-{rng.randint(1, 5):02d}",
                    result_reason="收件人不在" if failed else "",
                    deadline=result_deadline(result_time),
                )
            )
    Attempt.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --------------------------------------------------------------------------- notices


def _notices(days: list[date], now: datetime) -> int:
    from postdesk.notices.flows import KINDS, WAYBILL_OPTIONAL
    from postdesk.notices.models import Notice, NoticeCounter
    from postdesk.org.models import Role, Unit, User

    if Notice.objects.filter(text__startswith=NOTICE_MARK).exists():
        return 0
    units = list(Unit.objects.filter(code__in=["WZ-LC01", "WZ-LW01", "WZ-OH01", "RA-01"]))
    agents = list(User.objects.filter(role=Role.AGENT, is_active=True).order_by("pk"))
    if not units or not agents:
        return 0
    handlers = {u.unit_id: u for u in User.objects.filter(unit__in=units).order_by("-pk")}
    rng = random.Random(577)
    kinds = [k for k, _zh, _en in KINDS]
    counters = dict(NoticeCounter.objects.values_list("day", "last"))
    rows: list[Notice] = []
    for day in days:
        key = day.strftime("%Y%m%d")
        for _n in range(rng.randint(2, 7) if day.weekday() < 5 else rng.randint(0, 3)):
            counters[key] = counters.get(key, 0) + 1
            unit = rng.choice(units)
            kind = rng.choice(kinds)
            issued = _at(day, rng, 8, 17)
            due = issued + timedelta(hours=24)
            window = datetime.combine(day + timedelta(days=1), time(9), tzinfo=LOCAL)
            notice = Notice(
                number=f"N{key}{counters[key]:05d}",
                kind=kind,
                status="fed_back",
                unit=unit,
                issued_unit=unit,
                waybill_no="" if kind in WAYBILL_OPTIONAL else f"EA{rng.randrange(10**8):08d}9CN",
                phone=fake.mobile(rng),
                name=fake.person_name(rng),
                address="浙江省温州市鹿城区五马街88号",
                window_start=window,
                window_end=window + timedelta(hours=3),
                text=f"{NOTICE_MARK}：客户来电要求办理。",
                issued_by=rng.choice(agents),
                issued_at=issued,
                ack_due_at=issued + timedelta(hours=2),
                due_at=due,
                leg_due_at=due,
            )
            roll = rng.random()
            if roll < 0.04:  # never fed back: against the target
                notice.status = "issued"
                rows.append(notice)
                continue
            handler = handlers.get(unit.pk)
            fed = issued + timedelta(
                hours=rng.uniform(1, 20) if roll > 0.12 else rng.uniform(25, 40)
            )
            notice.acknowledged_at = issued + timedelta(minutes=rng.uniform(5, 50))
            notice.acknowledged_by = handler
            notice.first_feedback_at = notice.fed_back_at = fed
            notice.fed_back_by = handler
            notice.result = "done" if rng.random() < 0.85 else "failed"
            notice.reason = "customer_absent" if notice.result == "failed" else ""
            notice.feedback_text = "已办妥" if notice.result == "done" else "客户不在"
            rows.append(notice)
    Notice.objects.bulk_create(rows, batch_size=1000)
    for key, last in counters.items():
        NoticeCounter.objects.update_or_create(day=key, defaults={"last": last})
    return len(rows)


# --------------------------------------------------------------- quality evaluations


def _evaluations(days: list[date], now: datetime) -> int:
    """A few scored history calls per agent and month, through the quality service."""
    from postdesk.calls.models import Call
    from postdesk.core.errors import PermissionDenied, ValidationFailed
    from postdesk.core.periods import Month
    from postdesk.org.models import Role, User
    from postdesk.quality.models import Evaluation, Form
    from postdesk.quality.services import evaluation_create

    lead = User.objects.filter(role=Role.LEAD).order_by("pk").first()
    form = Form.objects.filter(target="call", published_at__isnull=False).first()
    if lead is None or form is None:
        return 0
    if Evaluation.objects.filter(call__call_id__startswith=MARK).exists():
        return 0
    rng = random.Random(100)
    made = 0
    months = sorted({Month(d.year, d.month) for d in days})
    agents = list(User.objects.filter(role=Role.AGENT, is_active=True).order_by("pk")[:6])
    for month in months:
        for agent in agents:
            call = (
                Call.objects.filter(
                    call_id__startswith=MARK,
                    agent=agent,
                    started_at__gte=month.start,
                    started_at__lt=month.end,
                )
                .order_by("started_at")
                .first()
            )
            if call is None:
                continue
            answers: dict[str, Any] = {}
            comments: dict[str, str] = {}
            for section in form.sections:
                for q in section["questions"]:
                    if q["kind"] == "yes_no" or rng.random() < 0.8:  # no fatal fails
                        answers[q["key"]] = True if q["kind"] == "yes_no" else q["max"]
                    else:
                        answers[q["key"]] = max(0, q["max"] - rng.randint(1, 2))
                        comments[q["key"]] = "服务用语不够规范，已辅导。"
            try:
                evaluation_create(
                    actor=lead, form=form, call_pk=call.pk, answers=answers, comments=comments
                )
            except (PermissionDenied, ValidationFailed):  # a call the lead may not score: skip it
                continue
            made += 1
    return made
