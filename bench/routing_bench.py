"""Address-routing benchmark: import of 5,000 service-area rules, then 100,000 addresses
resolved through `routing.selectors.route_address` in this one process (one core).

    .venv/bin/python bench/routing_bench.py [--rules 5000] [--addresses 100000]
                                            [--database sqlite|postgresql]

A fresh database (SQLite file under var/, or ``bench_routing`` on 127.0.0.1:5432, dropped
and re-made), ``migrate``, 200 branch units, a deterministic CSV of rules over every
Wenzhou township (a township rule each, the rest keyword rules: invented road names),
imported with ``service_areas_import`` (timed: CSV reading, checks, insert). Then the
addresses, in the surface forms callers use (full, without province, short names, spaces,
full-width digits, ``地址：`` prefixes, trailing landmarks, other cities): each call timed
with ``perf_counter_ns`` — the same call the API and the pickup form make, including its
table-version query. Prints addresses/s, p50/p99/max per address, the answers' mix, and
the load average (2 shared cores: above 2 the figures are pessimistic).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "postdesk" / "routing" / "data"
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_routing"

SYLLABLES = "东西南北新华人民解放建设中山胜利学院文化友谊和平车站环城江滨府前公园锦绣望江"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def pct(values: list[int], p: float) -> int:
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def wenzhou() -> tuple[dict[str, str], list[tuple[str, str]]]:
    counties = {}
    with open(DATA / "divisions.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if len(row["code"]) == 6 and row["code"].startswith("3303"):
                counties[row["code"]] = row["name"]
    towns = []
    with open(DATA / "towns.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["code"][:6] in counties:
                towns.append((counties[row["code"][:6]], row["name"]))
    return counties, towns


def road_names(count: int) -> list[str]:
    names: list[str] = []
    pairs = [a + b for a in SYLLABLES for b in SYLLABLES if a != b]
    for i in range(count):
        names.append(pairs[i % len(pairs)] + ("路", "街", "巷", "村")[i // len(pairs) % 4])
    return names


def make_rules(n: int, units: list[str]) -> tuple[str, list[tuple[str, str, str]]]:
    _, towns = wenzhou()
    rng = random.Random(14)
    out = io.StringIO()
    out.write("unit_code,province,city,district,town,keywords\n")
    keyed: list[tuple[str, str, str]] = []  # (district, town, keyword)
    for i, (district, town) in enumerate(towns[:n]):
        out.write(f"{units[i % len(units)]},浙江省,温州市,{district},{town},\n")
    roads = road_names(max(0, n - len(towns)))
    for road in roads:
        district, town = rng.choice(towns)
        out.write(f"{rng.choice(units)},,温州市,{district},{town},{road}\n")
        keyed.append((district, town, road))
    return out.getvalue(), keyed


def make_addresses(n: int, keyed: list[tuple[str, str, str]]) -> list[str]:
    rng = random.Random(12)
    tails = ["", "近华联超市", "3幢2单元", "到了打电话", "上村岙村6组", "（门卫室）"]
    elsewhere = ["杭州市西湖区文三路", "上海市浦东新区世纪大道", "北京市朝阳区建国路"]
    out = []
    for i in range(n):
        district, town, road = rng.choice(keyed)
        no = f"{rng.randint(1, 999)}号"
        tail = rng.choice(tails)
        short = district[:-1] if len(district) > 2 else district
        form = i % 8
        if form == 0:
            a = f"浙江省温州市{district}{town}{road}{no}{tail}"
        elif form == 1:
            a = f"{district}{town}{road}{no}{tail}"
        elif form == 2:
            a = f"温州{short}{town}{road}{no}"
        elif form == 3:
            a = f"地址：温州市 {district} {road} {no.translate(FULL_WIDTH)}{tail}"
        elif form == 4:
            a = f"浙江温州{short}{town}某某小区{no}"
        elif form == 5:
            a = f"{rng.choice(elsewhere)}{no}"
        elif form == 6:
            a = f"{town}{road}{no}{tail}"
        else:
            a = f"温州市{district}{road}{no}"
        out.append(a)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=5_000)
    parser.add_argument("--addresses", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()

    if args.database == "sqlite":
        path = ROOT / "var" / "bench-routing.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        for cmd in ("dropdb", "createdb"):
            extra = ["--if-exists"] if cmd == "dropdb" else []
            subprocess.run(
                [cmd, "-h", "127.0.0.1", "-U", "postgres", *extra, "bench_routing"], check=True
            )
        url = PG_URL
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="postdesk.settings")
    os.environ.pop("TEST_DATABASE_NAME", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from postdesk.org.models import Unit
    from postdesk.routing.selectors import route_address
    from postdesk.routing.services import service_areas_import

    codes = [f"BR-{i:03d}" for i in range(200)]
    Unit.objects.bulk_create(Unit(code=c, name=f"网点{c}", type="branch") for c in codes)
    data, keyed = make_rules(args.rules, codes)
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({args.database})")

    t0 = time.perf_counter()
    report = service_areas_import(data=data.encode("utf-8"))
    took = time.perf_counter() - t0
    print(
        f"import of {report.lines:,} rules: {took:.2f} s ({report.lines / took:,.0f} rules/s), "
        f"created {report.created:,}, rejected {report.rejected}"
    )
    addresses = make_addresses(args.addresses, keyed)
    t0 = time.perf_counter()
    route_address(address=addresses[0])  # the table is built once, then cached
    print(f"first call (table built): {(time.perf_counter() - t0) * 1000:.1f} ms")

    times: list[int] = []
    answers: Counter[str] = Counter()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for address in addresses:
        s = time.perf_counter_ns()
        answers[route_address(address=address).status] += 1
        times.append(time.perf_counter_ns() - s)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    times.sort()
    print(
        f"resolve {len(addresses):,} addresses against {report.created:,} rules: "
        f"{len(addresses) / wall:,.0f} addresses/s wall, {len(addresses) / cpu:,.0f}/s per CPU "
        f"second; p50 {pct(times, 50) / 1e6:.3f} ms, p99 {pct(times, 99) / 1e6:.3f} ms, "
        f"max {times[-1] / 1e6:.3f} ms (aim p99 < 2 ms)"
    )
    print("answers:", dict(answers))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
