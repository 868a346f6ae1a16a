"""Deterministic, realistic tracking-event files for the tracking benchmarks.

``python bench/tracking_gen.py N OUT.csv`` writes about N events (CSV, the import
format). Items are accepted over one month at ~300 offices, travel through a hub or
two, go out for delivery at a delivery office and get a result; about 8% fail first
and are delivered the next day, ~3% are international S10 items, some results come in
after the 20:00 cut-off, some are put online late, a few never get a result. Waybill
numbers come from per-office ranges (as pre-printed labels do). Times are written in
the three spellings seen in practice (local without offset, +08:00, UTC "Z").
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

CST = timezone(timedelta(hours=8))
HEADER = [
    "waybill_no",
    "event_time",
    "event_code",
    "office_code",
    "office_name",
    "recorded_at",
    "operator",
    "reason",
    "signer",
    "description",
]
WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
CITIES = ["北京", "上海", "广州", "深圳", "成都", "武汉", "西安", "南京", "杭州", "长沙"]
FAIL_REASONS = ["收件人不在", "地址不详", "电话无人接听", "收件人拒收", "门卫不让进"]


def s10(prefix: str, serial: int, country: str = "CN") -> str:
    digits = f"{serial:08d}"
    total = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True))
    check = 11 - total % 11
    check = 0 if check == 10 else 5 if check == 11 else check
    return f"{prefix}{digits}{check}{country}"


def fmt(t: datetime, style: int) -> str:
    if style == 0:
        return t.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
    if style == 1:
        return t.astimezone(CST).isoformat(timespec="seconds")
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(
    n_events: int, out: Path, *, seed: int = 20240301, year: int = 2024, month: int = 3
) -> int:
    rnd = random.Random(seed)
    offices = [f"{100000 + i * 37:06d}" for i in range(300)]
    names = {o: f"{CITIES[i % len(CITIES)]}第{i + 1}投递部" for i, o in enumerate(offices)}
    hubs = offices[:12]
    delivery_offices = offices[12:]
    start = datetime(year, month, 1, 7, tzinfo=CST)
    serial = {o: 10_000_000 + i * 100_000 for i, o in enumerate(offices)}
    domestic = {o: 9_700_000_000_000 + i * 10_000_000 for i, o in enumerate(offices)}
    written = 0
    block: list[tuple[datetime, list[str]]] = []
    item_no = 0
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        while written < n_events:
            item_no += 1
            origin = rnd.choice(delivery_offices)
            dest = rnd.choice(delivery_offices)
            hub = rnd.choice(hubs)
            if rnd.random() < 0.03:
                serial[origin] += 1
                wb = s10(
                    rnd.choice(["RR", "LP", "CP", "EE"]),
                    serial[origin] % 100_000_000,
                    rnd.choice(["US", "JP", "DE", "GB", "FR"]),
                )
            elif rnd.random() < 0.5:
                serial[origin] += 1
                wb = s10("E" + "ABCDEFGHJK"[item_no % 10], serial[origin] % 100_000_000)
            else:
                domestic[origin] += 1
                wb = str(domestic[origin])
            t = start + timedelta(days=rnd.random() * 29, hours=rnd.random() * 12)
            style = rnd.randrange(3)
            courier = f"{dest}-{rnd.randrange(1, 21):02d}"
            evs: list[tuple[datetime, str, str, str, str, str]] = []
            evs.append((t, "ACCEPTED" if rnd.random() < 0.8 else "收寄", origin, "", "", ""))
            t += timedelta(hours=rnd.uniform(1, 6))
            evs.append((t, "DEPARTED", origin, "", "", ""))
            t += timedelta(hours=rnd.uniform(3, 20))
            evs.append((t, "ARRIVED", hub, "", "", ""))
            t += timedelta(hours=rnd.uniform(1, 5))
            evs.append((t, "DEPARTED", hub, "", "", ""))
            t += timedelta(hours=rnd.uniform(4, 30))
            evs.append((t, "ARRIVED", dest, "", "", ""))
            # out for delivery the next morning
            day = (t.astimezone(CST) + timedelta(days=1)).replace(hour=8, minute=0, second=0)
            tries = 2 if rnd.random() < 0.08 else 1
            for k in range(tries):
                ofd = day + timedelta(minutes=rnd.randrange(0, 180))
                evs.append(
                    (
                        ofd,
                        "OUT_FOR_DELIVERY" if rnd.random() < 0.9 else "安排投递",
                        dest,
                        courier,
                        "",
                        "",
                    )
                )
                if rnd.random() < 0.01:
                    break  # never reported
                res = ofd + timedelta(minutes=rnd.randrange(30, 13 * 60))
                if k < tries - 1:
                    evs.append(
                        (res, "DELIVERY_FAILED", dest, courier, rnd.choice(FAIL_REASONS), "")
                    )
                else:
                    evs.append(
                        (
                            res,
                            "DELIVERED" if rnd.random() < 0.9 else "妥投",
                            dest,
                            courier,
                            "",
                            rnd.choice(["本人", "家人", "门卫", "快递柜", "同事"]),
                        )
                    )
                day += timedelta(days=1)
            for et, code, office, op, reason, signer in evs:
                lag = rnd.random()
                if lag < 0.9:
                    rec = et + timedelta(seconds=rnd.randrange(5, 1800))
                elif lag < 0.98:
                    rec = et + timedelta(hours=rnd.uniform(1, 6))
                else:
                    rec = et + timedelta(hours=rnd.uniform(6, 48))
                row = [
                    wb,
                    fmt(et, style),
                    code,
                    office,
                    names[office],
                    fmt(rec, style),
                    op,
                    reason,
                    signer,
                    "",
                ]
                block.append((et, row))
                written += 1
            if len(block) >= 100_000 or written >= n_events:
                block.sort(key=lambda x: x[0])
                w.writerows(r for _, r in block)
                block.clear()
    return written


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"bench/out/tracking_{n}.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    print(generate(n, path), "events ->", path)
