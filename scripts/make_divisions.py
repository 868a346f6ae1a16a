#!/usr/bin/env python3
"""Generate the routing app's compact administrative-division tables.

Input: the CSV files of the public dataset "Administrative-divisions-of-China"
(github.com/modood/Administrative-divisions-of-China, WTFPL), which republishes the
National Bureau of Statistics' 统计用区划代码 (provinces, cities, counties, townships).

    python scripts/make_divisions.py SRC_DIST [--old OLD_AREAS_CSV] [--towns 3303 ...]

SRC_DIST is the dataset's `dist/` directory (provinces.csv, cities.csv, areas.csv,
streets.csv). OLD_AREAS_CSV is `dist/areas.csv` of an earlier release of the same
dataset: counties renamed since then with the same stem in the same province (临安市 →
临安区) become `renames.csv`. `--towns` names the city (4 digits) or county (6 digits)
codes whose townships are kept (the Wenzhou centre keeps 3303).

Output (in postdesk/routing/data/, committed; see its README.md):
- divisions.csv  code,name — every province, city and county of the country;
- towns.csv      code,name,elsewhere — the townships (街道, 镇, 乡) of the chosen areas;
                 `elsewhere` counts the townships of the same name in the rest of the
                 country (a township name alone tells its county only when it is 0);
- renames.csv    old_code,old_name,new_code,new_name — counties renamed since OLD.
Hand-written old names (merges, older renames) live in aliases.csv beside them.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "postdesk" / "routing" / "data"
# Hong Kong, Macao and Taiwan are not in the statistics codes; GB/T 2260 gives them these.
EXTRA_PROVINCES = [("71", "台湾省"), ("81", "香港特别行政区"), ("82", "澳门特别行政区")]
TOWN_ENDINGS = ("街道", "镇", "乡")
COUNTY_ENDINGS = ("自治县", "自治旗", "县", "市", "区", "旗")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def town_name(raw: str) -> str:
    """The township's name as people write it: without 办事处 (街道办事处 → 街道)."""
    return raw.removesuffix("办事处")


def stem(name: str) -> str:
    for ending in COUNTY_ENDINGS:
        if name.endswith(ending) and len(name) - len(ending) >= 2:
            return name[: -len(ending)]
    return name


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("src", type=Path, help="the dataset's dist/ directory")
    parser.add_argument("--old", type=Path, help="areas.csv of an earlier release")
    parser.add_argument("--towns", nargs="*", default=["3303"])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    provinces = read(args.src / "provinces.csv")
    cities = read(args.src / "cities.csv")
    areas = read(args.src / "areas.csv")
    streets = read(args.src / "streets.csv")

    rows = [(p["code"], p["name"]) for p in provinces]
    rows += EXTRA_PROVINCES
    rows += [(c["code"], c["name"]) for c in cities]
    rows += [(a["code"], a["name"]) for a in areas]
    rows.sort()
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "divisions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(rows)

    towns = [
        (s["code"], town_name(s["name"]), s["areaCode"])
        for s in streets
        if town_name(s["name"]).endswith(TOWN_ENDINGS)
    ]
    by_name = Counter(name for _code, name, _county in towns)
    kept = []
    for code, name, county in towns:
        if any(county.startswith(prefix) for prefix in args.towns):
            same_county = sum(1 for c, n, k in towns if n == name and k == county)
            kept.append((code, name, by_name[name] - same_county))
    kept.sort()
    with (args.out / "towns.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "elsewhere"])
        writer.writerows(kept)

    renames = []
    if args.old is not None:
        current = {a["code"]: a["name"] for a in areas}
        for old in read(args.old):
            if current.get(old["code"]) == old["name"]:
                continue
            old_stem = stem(old["name"])
            if old_stem == old["name"] or len(old_stem) < 2:
                continue
            successors = [
                a
                for a in areas
                if a["provinceCode"] == old["provinceCode"]
                and stem(a["name"]) == old_stem
                and a["name"] != old["name"]
            ]
            if len(successors) == 1:
                new = successors[0]
                renames.append((old["code"], old["name"], new["code"], new["name"]))
    renames.sort()
    with (args.out / "renames.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["old_code", "old_name", "new_code", "new_name"])
        writer.writerows(renames)
    print(
        f"{len(rows)} divisions, {len(kept)} towns, {len(renames)} renames -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
