"""Notices benchmark (issue 15), on PostgreSQL (database bench_notices, made fresh):

1. issue N notices (default 10,000 re-deliveries, each to a branch with its handlers
   told in-app and by e-mail and the customer by SMS) through ``notice_issue`` while a
   real Celery worker (prefork, 2 processes) delivers the outbox to a local SMS provider
   (conftest.FakeSmsGateway, Alibaba Cloud's API): notices/s issued, notices/s end to
   end (first issue to the last SMS accepted by the provider), and the queue lag
   (outbox row created → sent) p50/p99 per channel;
2. the notice KPI (``notices.selectors.notice_kpi``) for a month of M notices (default
   300,000, bulk-loaded over the demo units (up to 60) and 7 kinds): median of 5 after a
   warm-up.

    .venv/bin/python bench/notices_bench.py [--issue 10000] [--kpi 300000]

Needs PostgreSQL on 127.0.0.1:5432 and Redis (REDIS_URL, default db 4 of the local one).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "bench_notices"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issue", type=int, default=10_000)
    parser.add_argument("--kpi", type=int, default=300_000)
    args = parser.parse_args()

    from conftest import FakeSmsGateway

    gateway = FakeSmsGateway().open()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4",
        "BACKGROUND_MODE": "celery",
        "SMS_GATEWAY": json.dumps(gateway.aliyun_config(timeout=10)),
        "SMS_QUIET_HOURS": "00:00-00:00",
        "DJANGO_SETTINGS_MODULE": "postdesk.settings",
    }
    env.pop("TEST_DATABASE_NAME", None)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from postdesk.org import demo

    demo.seed()
    from postdesk.celery import app

    app.control.purge()
    celery = str(Path(sys.executable).parent / "celery")
    log = open(ROOT / "var" / "bench-notices-worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [celery, "-A", "postdesk", "worker", "-Q", "default,notifications", "-c", "2",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        if args.issue:
            run_issue(args.issue, gateway)
    finally:
        worker.terminate()
        worker.wait(30)
        gateway.close()
    if args.kpi:
        run_kpi(args.kpi)


def run_issue(n: int, gateway) -> None:
    from postdesk.notices.services import notice_issue
    from postdesk.notify.models import OutboxMessage, SmsMessage
    from postdesk.org.models import User

    agent = User.objects.get(username="agent1")
    units = ["WZ-LC01", "WZ-LW01", "WZ-OH01", "WZ-LC02"]
    time.sleep(3)  # the worker starts
    started = time.perf_counter()
    for i in range(n):
        notice_issue(
            actor=agent,
            kind="redelivery",
            unit=units[i % len(units)],
            waybill_no="EA473124829CN",
            phone=f"138{i:08d}",
            name="张三",
            address="鹿城区五马街88号",
            text="客户要求明天上午再投",
        )
    issued = time.perf_counter() - started
    from postdesk.notify.tasks import outbox_sweep

    deadline = time.monotonic() + 1800
    swept = time.monotonic()
    while time.monotonic() < deadline:
        left = OutboxMessage.objects.filter(status="pending").count()
        if left == 0 and len(gateway.accepted) >= n:
            break
        if time.monotonic() - swept > 60:  # as beat does: anything whose task was lost
            outbox_sweep.delay()
            swept = time.monotonic()
        time.sleep(0.5)
    total = time.perf_counter() - started
    sms_sent = SmsMessage.objects.filter(status="sent").count()
    print(
        f"issue {n:,} notices (3 outbox rows each: in-app, e-mail, SMS), worker prefork -c 2: "
        f"issued {n / issued:,.0f} notices/s ({issued:.1f}s); end to end {n / total:,.0f} "
        f"notices/s ({total:.1f}s); SMS sent {sms_sent:,}, accepted by the provider "
        f"{len(gateway.accepted):,}, SendSms calls {gateway.requests.get('SendSms', 0):,}"
    )
    for channel in ("notice", "email", "sms"):
        lags = [
            (sent - created).total_seconds()
            for created, sent in OutboxMessage.objects.filter(
                channel=channel, sent_at__isnull=False
            ).values_list("created_at", "sent_at")
        ]
        print(
            f"  queue lag {channel:6s}: {len(lags):,} sent, p50 {pct(lags, 50):.2f}s, "
            f"p99 {pct(lags, 99):.2f}s, max {max(lags or [0]):.2f}s"
        )


def run_kpi(m: int) -> None:
    from django.db import connection

    from postdesk.core.periods import parse_month
    from postdesk.notices.models import Notice
    from postdesk.notices.selectors import notice_kpi
    from postdesk.org.models import Unit, User

    Notice.objects.all().delete()
    rng = random.Random(15)
    units = list(Unit.objects.values_list("pk", flat=True))[:60]
    kinds = ["pickup", "redelivery", "appointment", "address_change", "hold", "intercept", "other"]
    month_start = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 Shanghai
    batch: list[Notice] = []
    t = time.perf_counter()
    for i in range(m):
        issued = month_start + timedelta(seconds=rng.randrange(30 * 86400))
        due = issued + timedelta(hours=rng.choice([4, 8, 24]))
        roll = rng.random()
        fed = issued + timedelta(hours=rng.uniform(0.1, 30)) if roll < 0.93 else None
        cancelled = issued + timedelta(hours=1) if 0.93 <= roll < 0.95 else None
        unit = units[i % len(units)]
        batch.append(
            Notice(
                number=f"B{i:012d}",
                kind=kinds[i % len(kinds)],
                status="fed_back" if fed else "cancelled" if cancelled else "issued",
                unit_id=unit,
                issued_unit_id=unit,
                issued_at=issued,
                due_at=due,
                leg_due_at=due,
                first_feedback_at=fed,
                fed_back_at=fed,
                result="done" if fed else "",
                cancelled_at=cancelled,
            )
        )
        if len(batch) == 10_000:
            Notice.objects.bulk_create(batch)
            batch = []
    Notice.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notices_notice")
    loaded = time.perf_counter() - t
    user = User.objects.get(username="director1")
    month = parse_month("2026-11")
    as_of = datetime(2026, 12, 5, tzinfo=UTC)
    notice_kpi(user=user, month=month, as_of=as_of)
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        doc = notice_kpi(user=user, month=month, as_of=as_of)
        runs.append(time.perf_counter() - t)
    print(
        f"notice KPI, month of {m:,} notices ({len(units)} units, 7 kinds; loaded in "
        f"{loaded:.0f}s): {statistics.median(runs):.3f}s median of 5 (min {min(runs):.3f}s), "
        f"issued {doc['issued']:,}, rate {doc['rate']:.4f}, timely {doc['timely_rate']:.4f}, "
        f"{len(doc['by_unit'])} units (PostgreSQL, director's scope)"
    )


if __name__ == "__main__":
    main()
