"""The administrative divisions the address parser knows (pure; no database).

Loaded once per process from the tables in `data/` (generated from the National Bureau
of Statistics' codes by `scripts/make_divisions.py`; see `data/README.md`):
- every province, city and county of the country, with the names people shorten them to
  (浙江省 → 浙江, 温州市 → 温州, 鹿城区 → 鹿城, 延边朝鲜族自治州 → 延边);
- the townships of the areas the centre serves (Wenzhou), with how many townships of the
  same name the rest of the country has;
- old names of renamed or merged counties (`renames.csv`, `aliases.csv`).

Municipalities (北京, 上海, 天津, 重庆) are their own city: their counties' city is the
municipality's name (and their city code the province's). Counties a province
administers directly (仙桃市, 济源市) have no city. Levels: 1 province, 2 city,
3 county (district, county, county-level city), 4 township (街道, 镇, 乡).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

PROVINCE, CITY, COUNTY, TOWN = 1, 2, 3, 4
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
# 4-digit "cities" that are not cities: the municipalities' 市辖区 / 县 groups and the
# provinces' groups of directly administered counties.
_PSEUDO_CITIES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# The 56 nationalities' names, longest first, to shorten 自治州/自治县/自治区 names.
ETHNIC = sorted(
    [
        "汉",
        "蒙古",
        "回",
        "藏",
        "维吾尔",
        "苗",
        "彝",
        "壮",
        "布依",
        "朝鲜",
        "满",
        "侗",
        "瑶",
        "白",
        "土家",
        "哈尼",
        "哈萨克",
        "傣",
        "黎",
        "傈僳",
        "佤",
        "畲",
        "高山",
        "拉祜",
        "水",
        "东乡",
        "纳西",
        "景颇",
        "柯尔克孜",
        "土",
        "达斡尔",
        "仫佬",
        "羌",
        "布朗",
        "撒拉",
        "毛南",
        "仡佬",
        "锡伯",
        "阿昌",
        "普米",
        "塔吉克",
        "怒",
        "乌孜别克",
        "俄罗斯",
        "鄂温克",
        "德昂",
        "保安",
        "裕固",
        "京",
        "塔塔尔",
        "独龙",
        "鄂伦春",
        "赫哲",
        "门巴",
        "珞巴",
        "基诺",
    ],
    key=len,
    reverse=True,
)
_PROVINCE_ENDINGS = ("特别行政区", "自治区", "省", "市")
_CITY_ENDINGS = ("自治州", "地区", "盟", "市")
_COUNTY_ENDINGS = ("自治县", "自治旗", "县", "区", "市", "旗")
TOWN_ENDINGS = ("街道", "民族乡", "镇", "乡")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int
    province: str  # the province's name ("" for none)
    city: str  # the city's name ("" for a directly administered county)
    county: str
    town: str = ""
    city_code: str = ""
    county_code: str = ""
    elsewhere: int = 0  # townships of this name in the rest of the country

    def within(self, other: Division) -> bool:
        """True when this division lies inside `other` (or is it)."""
        if other.level == PROVINCE:
            return self.code[:2] == other.code[:2]
        if other.level == CITY:
            return self.city_code == other.code
        if other.level == COUNTY:
            return self.county_code == other.code
        return self.code == other.code


@dataclass(frozen=True)
class Name:
    """One way of writing a division: its official name, a short form, or an old name."""

    division: Division
    kind: str  # "full", "short" or "old"


@dataclass
class Gazetteer:
    by_code: dict[str, Division] = field(default_factory=dict)
    names: dict[str, list[Name]] = field(default_factory=dict)
    # old names written after their former county: (county code, name) → new division
    # (苍南县龙港镇 → 龙港市)
    old_within: dict[tuple[str, str], Division] = field(default_factory=dict)
    towns_of: dict[str, list[Division]] = field(default_factory=dict)  # county code → towns
    longest: int = 0

    def add_name(self, text: str, division: Division, kind: str) -> None:
        entries = self.names.setdefault(text, [])
        if not any(e.division.code == division.code for e in entries):
            entries.append(Name(division, kind))
            self.longest = max(self.longest, len(text))

    def county_named(self, name: str, *, city: str = "", province: str = "") -> list[Division]:
        """Counties with this official (or old) name, within the city/province if given."""
        found = []
        for entry in self.names.get(name, []):
            d = entry.division
            if d.level != COUNTY or entry.kind == "short":
                continue
            if city and d.city != city:
                continue
            if province and d.province != province:
                continue
            found.append(d)
        return found

    def with_towns(self, towns: Iterable[tuple[str, str]]) -> Gazetteer:
        """A copy that also knows these (county code, township name) pairs — the
        townships named by the service-area table."""
        extra = [(c, n) for c, n in towns if c in self.by_code and n]
        known = {(d.county_code, d.name) for ts in self.towns_of.values() for d in ts}
        missing = [(c, n) for c, n in extra if (c, n) not in known]
        if not missing:
            return self
        copy = Gazetteer(
            by_code=dict(self.by_code),
            names={k: list(v) for k, v in self.names.items()},
            old_within=dict(self.old_within),
            towns_of={k: list(v) for k, v in self.towns_of.items()},
            longest=self.longest,
        )
        for county_code, name in sorted(set(missing)):
            county = copy.by_code[county_code]
            town = Division(
                code=f"{county_code}:{name}",
                name=name,
                level=TOWN,
                province=county.province,
                city=county.city,
                county=county.name,
                town=name,
                city_code=county.city_code,
                county_code=county_code,
                elsewhere=-1,  # unknown: never tells its county alone
            )
            _add_town(copy, town)
        return copy


def short_name(name: str, level: int) -> str:
    """The form people shorten a division's name to, or "" when it has none (too short,
    or a statistical area such as 经济技术开发区)."""
    endings = {
        PROVINCE: _PROVINCE_ENDINGS,
        CITY: _CITY_ENDINGS,
        COUNTY: _COUNTY_ENDINGS,
        TOWN: TOWN_ENDINGS,
    }[level]
    if any(word in name for word in ("开发区", "新区", "管理区", "园区", "示范区", "工业区")):
        return ""
    stem = name
    for ending in endings:
        if stem.endswith(ending):
            stem = stem[: -len(ending)]
            break
    else:
        return ""
    if name.endswith(("自治州", "自治县", "自治旗", "自治区")):
        changed = True
        while changed:
            changed = False
            for people in ETHNIC:
                if stem.endswith(people + "族") and len(stem) > len(people) + 1:
                    stem = stem[: -len(people) - 1]
                    changed = True
                    break
                # 新疆维吾尔自治区: the people named without 族
                if level == PROVINCE and stem.endswith(people) and len(stem) - len(people) >= 2:
                    stem = stem[: -len(people)]
                    changed = True
                    break
    return stem if len(stem) >= 2 else ""


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _add_town(gaz: Gazetteer, town: Division) -> None:
    gaz.by_code[town.code] = town
    gaz.towns_of.setdefault(town.county_code, []).append(town)
    gaz.add_name(town.name, town, "full")
    short = short_name(town.name, TOWN)
    if short:
        gaz.add_name(short, town, "short")


@cache
def gazetteer() -> Gazetteer:
    """The country's provinces, cities and counties and the served area's townships."""
    gaz = Gazetteer()
    rows = _read("divisions.csv")
    names = {r["code"]: r["name"] for r in rows}
    for row in rows:
        code, name = row["code"], row["name"]
        province = names.get(code[:2], "")
        if len(code) == 2:
            d = Division(code, name, PROVINCE, province=name, city="", county="")
        elif len(code) == 4:
            if name in _PSEUDO_CITIES:
                continue
            d = Division(code, name, CITY, province=province, city=name, county="", city_code=code)
        else:
            city_name = names.get(code[:4], "")
            if code[:2] in MUNICIPALITIES:
                city_name, city_code = province, code[:2]
            elif city_name in _PSEUDO_CITIES:
                city_name, city_code = "", ""
            else:
                city_code = code[:4]
            d = Division(
                code,
                name,
                COUNTY,
                province=province,
                city=city_name,
                county=name,
                city_code=city_code,
                county_code=code,
            )
            if name == "市辖区":
                continue
        gaz.by_code[code] = d
        gaz.add_name(name, d, "full")
        statistical = d.level == COUNTY and code[4] == "7"  # 经济技术开发区 and the like
        short = "" if statistical else short_name(name, d.level)
        if short:
            gaz.add_name(short, d, "short")
            if name.endswith("自治州"):
                gaz.add_name(short + "州", d, "short")  # 延边州, 黔东南州
    for row in _read("towns.csv"):
        county = gaz.by_code.get(row["code"][:6])
        if county is None:
            continue
        _add_town(
            gaz,
            Division(
                row["code"],
                row["name"],
                TOWN,
                province=county.province,
                city=county.city,
                county=county.name,
                town=row["name"],
                city_code=county.city_code,
                county_code=county.code,
                elsewhere=int(row["elsewhere"]),
            ),
        )
    for row in _read("renames.csv"):
        new = gaz.by_code.get(row["new_code"])
        if new is not None:
            gaz.add_name(row["old_name"], new, "old")
    for row in _read("aliases.csv"):
        new = gaz.by_code.get(row["new_code"])
        if new is None:
            continue
        if row["within"]:
            gaz.old_within[(row["within"], row["old_name"])] = new
        gaz.add_name(row["old_name"], new, "old")
    return gaz


def old_name_of(name: str, level: int) -> Division | None:
    """The current division an old name stands for (洞头县 → 洞头区), if it is one."""
    for entry in gazetteer().names.get(name, []):
        if entry.kind == "old" and entry.division.level == level:
            return entry.division
    return None
