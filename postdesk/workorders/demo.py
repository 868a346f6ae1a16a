"""Demo data of work orders: the SLA policies and default calendar an administrator edits,
a handful of orders in every state for the demo logins, and `seed_scale(n)` that inserts
n synthetic orders fast (COPY on PostgreSQL, executemany on SQLite) for benchmarks."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from postdesk.core import fake
from postdesk.org.models import Unit, User
from postdesk.tracking.waybill import s10_check_digit
from postdesk.workorders import search, sla
from postdesk.workorders.models import (
    DayCounter,
    SlaPolicy,
    WorkCalendar,
    WorkOrder,
    WorkOrderEvent,
)
from postdesk.workorders.public_ref import new_public_ref

BRANCH_CODES = [
    "WZ-LC01", "WZ-LC02", "WZ-LC03", "WZ-LW01", "WZ-LW02", "WZ-OH01", "WZ-OH02", "WZ-DT01",
    "WZ-EMS", "RA-01", "RA-02", "YQ-01", "YQ-02", "YJ-01", "PY-01", "CN-01",
]  # fmt: skip

TITLES = {
    "complaint": [
        (
            "delay",
            "包裹延误投诉",
            "客户反映寄往{city}的包裹已经{n}天仍未送达，查询显示停留在{place}。",
        ),
        (
            "loss",
            "邮件丢失投诉",
            "客户称挂号信寄出{n}天后收件人仍未收到，怀疑邮件丢失，要求查明并赔偿。",
        ),
        (
            "damage_shortage",
            "包裹破损短少",
            "收件人签收时发现外包装破损，内件{item}短少，要求赔偿。",
        ),
        (
            "attitude",
            "投递员服务态度差",
            "客户反映{place}投递员态度生硬，未按约定时间投递，要求道歉。",
        ),
        ("other", "营业厅排队时间长", "客户反映{place}营业厅窗口少，排队超过{n}十分钟。"),
    ],
    "query": [("", "查询包裹投递进度", "客户来电查询寄往{city}的包裹目前到达何处。")],
    "consultation": [
        ("", "咨询国际小包资费", "客户咨询寄往{city}的国际小包资费和时限，重量约{n}公斤。")
    ],
    "suggestion": [
        ("", "建议延长营业时间", "客户建议{place}支局周末延长营业时间，方便上班族寄件。")
    ],
    "tracing": [("", "查单：包裹未到", "客户寄往{city}的特快专递{n}天未到，申请查单。")],
    "pickup": [("", "上门揽收申请", "客户需要上门揽收{item}，约{n}件，地址在{place}附近。")],
    "booking": [("", "代订快客车票", "客户预订{n}张温州至{city}的快客车票。")],
}
CITIES = ["杭州", "上海", "北京", "广州", "深圳", "宁波", "南京", "成都", "武汉", "丽水"]
PLACES = ["鹿城", "五马街", "龙湾", "瓯海", "瑞安", "乐清", "永嘉", "洞头"]
ITEMS = ["眼镜", "皮鞋", "电器配件", "服装", "文件", "茶叶", "阀门样品"]
TYPE_WEIGHTS = [
    ("query", 30), ("consultation", 20), ("complaint", 18), ("suggestion", 4),
    ("tracing", 14), ("pickup", 10), ("booking", 4),
]  # fmt: skip


def seed_policies() -> int:
    created = 0
    for type_, rules in sla.DEFAULT_RULES.items():
        values: dict[str, Any] = {
            "warn_before_minutes": sla.DEFAULT_WARN_MINUTES,
            "director_after_minutes": sla.DEFAULT_DIRECTOR_AFTER_MINUTES,
        }
        for stage in sla.STAGES:
            rule = rules[stage]
            values[f"{stage}_amount"] = rule[0] if rule else None
            values[f"{stage}_unit"] = rule[1] if rule else ""
        _obj, made = SlaPolicy.objects.get_or_create(
            type=type_, subtype="", priority="", defaults=values
        )
        created += made
    # Urgent complaints: reply within 3 calendar days.
    _obj, made = SlaPolicy.objects.get_or_create(
        type="complaint",
        subtype="",
        priority="urgent",
        defaults={
            "dispatch_amount": 30,
            "dispatch_unit": "working_minutes",
            "accept_amount": 1,
            "accept_unit": "working_hours",
            "feedback_amount": 1,
            "feedback_unit": "working_days",
            "reply_amount": 3,
            "reply_unit": "calendar_days",
            "warn_before_minutes": 60,
            "director_after_minutes": 120,
        },
    )
    created += made
    if not WorkCalendar.objects.filter(unit__isnull=True).exists():
        WorkCalendar.objects.create(
            unit=None, name="标准办公时间", weekday_hours="08:30-12:00,13:30-17:30"
        )
        created += 1
    sla.invalidate()
    return created


def _text(rng: random.Random, template: str) -> str:
    return template.format(
        city=rng.choice(CITIES),
        place=rng.choice(PLACES),
        item=rng.choice(ITEMS),
        n=rng.randint(2, 9),
    )


def _waybill(rng: random.Random) -> str:
    serial = f"{rng.randrange(10**8):08d}"
    return f"E{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{serial}{s10_check_digit(serial)}CN"


def seed(stdout: Any = None) -> None:
    from postdesk.workorders.services import work_order_act, work_order_create

    with transaction.atomic():
        seed_policies()
    if WorkOrder.objects.exists():
        return
    users = {u.username: u for u in User.objects.all()}
    if not {"agent1", "agent2", "branch1", "lead1"} <= set(users):
        return
    rng = random.Random(11185)
    agent1, agent2, branch1 = users["agent1"], users["agent2"], users["branch1"]
    branch2 = users.get("branch2", branch1)

    # complaints and tracing inquiries about the demo parcels (the tracking page shows them)
    from postdesk.tracking.models import Event

    parcels = list(
        Event.objects.order_by("waybill_no").values_list("waybill_no", flat=True).distinct()[:50]
    )

    def waybill() -> str:
        return rng.choice(parcels) if parcels else _waybill(rng)

    def new(type_: str, agent: User = agent1, **extra: Any) -> WorkOrder:
        subtype, title, body = rng.choice(TITLES[type_])
        return work_order_create(
            actor=agent,
            type=type_,
            subtype=extra.pop("subtype", subtype),
            title=title,
            description=_text(rng, body),
            caller_phone=fake.mobile(rng),
            caller_name=fake.person_name(rng),
            waybill_no=waybill() if type_ in {"tracing", "complaint"} else "",
            **extra,
        )

    def act(order: WorkOrder, user: User, action: str, **payload: Any) -> WorkOrder:
        return work_order_act(actor=user, order=order, action=action, payload=payload)

    a = new("complaint", subtype="delay")
    act(a, agent1, "dispatch", unit="WZ-LC01")
    b = new("complaint", subtype="attitude")
    act(b, agent1, "dispatch", unit="WZ-LC01")
    act(b, branch1, "accept")
    c = new("complaint", subtype="loss", agent=agent2)
    act(c, agent2, "dispatch", unit="WZ-LW01")
    act(c, branch2, "accept")
    act(
        c,
        branch2,
        "feedback",
        text="经核查，邮件在分拣环节滞留，已找到并安排投递。",
        ruling="responsible",
    )
    d = new("tracing")
    act(d, agent1, "dispatch", unit="WZ-LC01")
    e = new("pickup", details={"address": "鹿城区五马街88号", "window": "明天上午", "item": "文件"})
    act(e, agent1, "dispatch", unit="WZ-LC01")
    q = new("query")
    act(q, agent1, "answer", text="已告知客户包裹已到达温州处理中心，预计明天投递。")
    new("consultation", agent=agent2)
    new("booking", details={"booking_kind": "coach_ticket", "booking_details": "温州—杭州 2张"})
    new("suggestion")
    seed_tags(users["lead1"], [(a, ["重复来电", "待回访"]), (b, ["服务态度"]), (c, ["理赔"]),
                               (d, ["重复来电"]), (e, ["地址问题"])])  # fmt: skip
    if stdout is not None:
        stdout.write(f"demo work orders: {WorkOrder.objects.count()}")


#: The demo centre's tags (标签) and their colours.
DEMO_TAGS = [
    ("重复来电", "red"),
    ("媒体关注", "purple"),
    ("贵宾客户", "amber"),
    ("理赔", "blue"),
    ("待回访", "green"),
    ("服务态度", "amber"),
    ("地址问题", "grey"),
]


def seed_tags(lead: User, tagged: list[tuple[WorkOrder, list[str]]]) -> None:
    """The demo tags, and a few on demo orders (each by its owner, through the service)."""
    from postdesk.workorders.models import Tag
    from postdesk.workorders.services import tag_add, tag_create

    for name, colour in DEMO_TAGS:
        if not Tag.objects.filter(name=name).exists():
            tag_create(actor=lead, name=name, colour=colour)
    for order, names in tagged:
        actor = order.owner if order.owner is not None else lead
        for name in names:
            tag_add(actor=actor, order=order, tag=name)


# --- scale ---------------------------------------------------------------------------------
ORDER_COLUMNS = [
    "id", "number", "public_ref", "type", "subtype", "priority", "status", "title",
    "description", "caller_phone", "caller_name", "call_id", "waybill_no", "details",
    "owner_id", "intake_unit_id", "handling_unit_id", "regulator_ref", "ruling",
    "ruling_state", "satisfaction", "reopen_count", "escalation_level", "version", "due_at",
    "warn_at", "alert_stage", "reply_due_at", "breached", "created_at", "updated_at",
    "replied_at", "closed_at", "dispatched_at", "route_status", "routing",
]  # fmt: skip
EVENT_COLUMNS = ["order_id", "at", "actor_id", "action", "from_status", "to_status", "text", "data"]


def _sqlite_dt(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _fresh_ref(used: set[str]) -> str:
    """A public reference no order has (bulk inserts cannot draw again on a conflict)."""
    while (ref := new_public_ref()) in used:
        pass
    used.add(ref)
    return ref


def _rows(
    n: int,
    start_id: int,
    rng: random.Random,
    now: datetime,
    counters: dict[str, int],
    agents: list[int],
    units: dict[str, int],
    intake_unit: int | None,
    used: set[str],
) -> Any:
    types = [t for t, w in TYPE_WEIGHTS for _ in range(w)]
    span = 365 * 24 * 3600
    for i in range(n):
        oid = start_id + i
        type_ = rng.choice(types)
        subtype, title, body = rng.choice(TITLES[type_])
        created = now - timedelta(seconds=rng.randrange(3600, span))
        day = timezone.localtime(created).strftime("%Y%m%d")
        counters[day] = counters.get(day, 0) + 1
        recent = (now - created) < timedelta(days=10)
        open_ = (recent and rng.random() < 0.6) or rng.random() < 0.03
        unit_id = (
            units[rng.choice(BRANCH_CODES)]
            if type_ not in {"query", "consultation", "booking"}
            else None
        )
        if open_:
            status = "processing" if unit_id else "new"
            due = now + timedelta(minutes=rng.randrange(-3 * 1440, 5 * 1440))
        else:
            status = "closed"
            due = None
        reply_due = created + timedelta(days=7) if type_ in {"complaint", "suggestion"} else None
        replied = (
            created + timedelta(hours=rng.randrange(2, 200))
            if reply_due and status == "closed"
            else None
        )
        overdue = due is not None and due <= now
        yield (
            (
                oid,
                f"{day}{counters[day]:05d}",
                _fresh_ref(used),
                type_,
                subtype,
                "normal",
                status,
                title,
                _text(rng, body),
                "+86" + fake.mobile(rng),
                fake.person_name(rng),
                "",
                _waybill(rng) if type_ in {"tracing", "complaint", "pickup"} else "",
                "{}",
                rng.choice(agents),
                intake_unit,
                unit_id,
                "",
                "",
                "none",
                "",
                0,
                2 if overdue else 0,
                1,
                due,
                due - timedelta(hours=1) if due else None,
                2 if overdue else 0,
                reply_due,
                overdue,
                created,
                created,
                replied,
                None if open_ else created + timedelta(hours=rng.randrange(1, 240)),
                created if unit_id else None,
                "",  # route_status and routing: Django defaults only, not the columns'
                "{}",
            ),
            (oid, created, None, "create", "", "new", "", "{}"),
        )


def seed_scale(n: int, stdout: Any = None, *, index: bool = True) -> None:
    """Insert n synthetic work orders (and their intake events) in bulk."""
    seed_policies()
    rng = random.Random(n)
    now = timezone.now()
    agents = list(User.objects.filter(role="agent").values_list("pk", flat=True))
    units = dict(Unit.objects.filter(code__in=BRANCH_CODES).values_list("code", "pk"))
    intake = Unit.objects.filter(code="WZ-11185-HW").values_list("pk", flat=True).first()
    if not agents or len(units) < len(BRANCH_CODES):
        raise RuntimeError("run `postdesk seed_demo` first (the demo organisation is missing)")
    counters = dict(DayCounter.objects.values_list("day", "last"))
    used = set(WorkOrder.objects.values_list("public_ref", flat=True).iterator())
    start_id = (WorkOrder.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    started = time.monotonic()
    batch = 50_000
    done = 0
    pg = connection.vendor == "postgresql"
    while done < n:
        size = min(batch, n - done)
        rows = list(_rows(size, start_id + done, rng, now, counters, agents, units, intake, used))
        with transaction.atomic():
            if pg:
                _copy_pg(rows)
            else:
                _insert_sqlite(rows)
        done += size
        if stdout is not None:
            stdout.write(f"  work orders: {done}/{n} ({time.monotonic() - started:.0f}s)")
    with transaction.atomic():
        for day, last in counters.items():
            DayCounter.objects.update_or_create(day=day, defaults={"last": last})
        if pg:
            with connection.cursor() as cursor:
                for table in (WorkOrder._meta.db_table, WorkOrderEvent._meta.db_table):
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 — our models' tables, constant columns
                        f"(SELECT MAX(id) FROM {table}))"
                    )
    if pg:
        # What autovacuum would do later: statistics for the planner and the visibility
        # map, so list totals are index-only counts (ms, not a heap walk) at once.
        with connection.cursor() as cursor:
            for table in (WorkOrder._meta.db_table, WorkOrderEvent._meta.db_table):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    inserted_in = time.monotonic() - started
    if stdout is not None:
        stdout.write(f"work orders: {n} inserted in {inserted_in:.1f}s")
    if index:
        indexed = _index(start_id, stdout)
        if stdout is not None:
            stdout.write(
                f"search index: {indexed} orders in {time.monotonic() - started - inserted_in:.1f}s"
            )


def _index(start_id: int, stdout: Any) -> int:
    from postdesk.knowledge.search import Document, index_documents

    total = 0
    rows = (
        WorkOrder.objects.filter(id__gte=start_id)
        .only("id", "title", "description", "number", "waybill_no", "regulator_ref")
        .order_by("id")
    )
    chunk: list[Document] = []
    for order in rows.iterator(chunk_size=5000):
        chunk.append(
            Document(
                order.pk,
                order.title,
                order.description,
                [v for v in (order.number, order.waybill_no) if v],
            )
        )
        if len(chunk) >= 5000:
            total += index_documents(kind=search.KIND, documents=chunk)
            chunk = []
    if chunk:
        total += index_documents(kind=search.KIND, documents=chunk)
    from postdesk.knowledge.search import backends

    backends.analyze()
    return total


def _copy_pg(rows: list[tuple[tuple[Any, ...], tuple[Any, ...]]]) -> None:
    raw = connection.connection
    with raw.cursor() as cursor:
        with cursor.copy(
            f"COPY {WorkOrder._meta.db_table} ({', '.join(ORDER_COLUMNS)}) FROM STDIN"
        ) as copy:
            for order, _event in rows:
                copy.write_row(order)
        with cursor.copy(
            f"COPY {WorkOrderEvent._meta.db_table} ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
        ) as copy:
            for _order, event in rows:
                copy.write_row(event)


def _insert_sqlite(rows: list[tuple[tuple[Any, ...], tuple[Any, ...]]]) -> None:
    def conv(value: Any) -> Any:
        if isinstance(value, datetime):
            return _sqlite_dt(value)
        if isinstance(value, bool):
            return int(value)
        return value

    marks = ", ".join(["%s"] * len(ORDER_COLUMNS))
    event_marks = ", ".join(["%s"] * len(EVENT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {WorkOrder._meta.db_table} ({', '.join(ORDER_COLUMNS)}) VALUES ({marks})",  # noqa: S608 — our models' tables, constant columns
            [tuple(conv(v) for v in order) for order, _e in rows],
        )
        cursor.executemany(
            f"INSERT INTO {WorkOrderEvent._meta.db_table} ({', '.join(EVENT_COLUMNS)}) "  # noqa: S608 — our models' tables, constant columns
            f"VALUES ({event_marks})",
            [tuple(conv(v) for v in event) for _o, event in rows],
        )
