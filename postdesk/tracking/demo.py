"""Demo tracking data: about 120 parcels over the last ten days at the demo centre's
delivery offices, through the real import path (so attempts, items, chase list and
KPIs are filled): most delivered on time, some failed and re-delivered, some put
online late, a few out for delivery without a result (chase list), a few stuck (stale).
Idempotent: a second run adds nothing."""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from postdesk.tracking.kpi_rules import SHANGHAI
from postdesk.tracking.models import Event
from postdesk.tracking.parsing import COLUMNS
from postdesk.tracking.services import tracking_import
from postdesk.tracking.waybill import s10_check_digit

DEMO_MARK = "演示数据"  # shown as the event's description, as a real feed's text is
OLD_DEMO_MARK = "demo"  # a demo centre seeded before
OFFICES = [
    ("WZ-LC02", "五马投递部"),
    ("WZ-LW02", "永中投递部"),
    ("WZ-OH02", "娄桥投递部"),
    ("WZ-LC01", "鹿城支局"),
]
ORIGINS = [("310000", "杭州邮区中心局"), ("200000", "上海邮区中心局"), ("WZ-LC01", "鹿城支局")]
HUB = ("325000", "温州邮区中心局")


def _rows(today: datetime) -> list[list[str]]:
    rng = random.Random(11185)
    rows: list[list[str]] = []

    def add(
        wb: str,
        t: datetime,
        code: str,
        office: tuple[str, str],
        rec: datetime,
        op: str = "",
        reason: str = "",
        signer: str = "",
    ) -> None:
        rows.append(
            [
                wb,
                t.isoformat(timespec="seconds"),
                code,
                office[0],
                office[1],
                rec.isoformat(timespec="seconds"),
                op,
                reason,
                signer,
                DEMO_MARK,
            ]
        )

    for i in range(120):
        serial = f"{31_850_000 + i:08d}"
        wb = f"E{'ABCDEF'[i % 6]}{serial}{s10_check_digit(serial)}CN" if i % 2 else f"97301{i:08d}"
        office = OFFICES[i % len(OFFICES)]
        courier = f"{office[0]}-{rng.randrange(1, 6):02d}"
        day = today - timedelta(days=1 + i % 10)
        accepted = day - timedelta(days=2, hours=rng.randrange(0, 8))
        origin = rng.choice(ORIGINS)
        add(wb, accepted, "ACCEPTED", origin, accepted + timedelta(minutes=5))
        add(
            wb,
            accepted + timedelta(hours=3),
            "DEPARTED",
            origin,
            accepted + timedelta(hours=3, minutes=4),
        )
        if i % 40 == 7:
            continue  # stuck after departure: stale
        arrive = day - timedelta(hours=rng.randrange(10, 20))
        add(wb, arrive, "ARRIVED", HUB, arrive + timedelta(minutes=3))
        add(
            wb,
            arrive + timedelta(hours=2),
            "ARRIVED",
            office,
            arrive + timedelta(hours=2, minutes=2),
        )
        ofd = day.replace(hour=8, minute=rng.randrange(0, 59), second=0)
        add(wb, ofd, "OUT_FOR_DELIVERY", office, ofd + timedelta(minutes=2), courier)
        if i % 23 == 5:
            continue  # no result yet: chase list
        result_t = ofd + timedelta(hours=rng.randrange(1, 10))
        lag = timedelta(minutes=rng.randrange(2, 30))
        if i % 9 == 4:
            lag = timedelta(hours=rng.randrange(13, 30))  # put online late
        if i % 11 == 3:
            add(wb, result_t, "DELIVERY_FAILED", office, result_t + lag, courier, "收件人不在")
            again = ofd + timedelta(days=1)
            if again < today:
                add(wb, again, "OUT_FOR_DELIVERY", office, again + timedelta(minutes=2), courier)
                done = again + timedelta(hours=2)
                add(
                    wb,
                    done,
                    "DELIVERED",
                    office,
                    done + timedelta(minutes=10),
                    courier,
                    signer="本人",
                )
        else:
            add(
                wb,
                result_t,
                "DELIVERED",
                office,
                result_t + lag,
                courier,
                signer=rng.choice(["本人", "家人", "门卫", "快递柜"]),
            )
    return [r for r in rows if datetime.fromisoformat(r[5]) <= today]


def seed(stdout: Any = None) -> None:
    if Event.objects.filter(description__in=[DEMO_MARK, OLD_DEMO_MARK]).exists():
        return
    today = timezone.localtime(timezone.now(), SHANGHAI).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo_tracking.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            writer.writerows(_rows(today))
        run = tracking_import(path=path)
    if stdout is not None:
        stdout.write(f"tracking: {run.created} demo events\n")
