"""Reading a Chinese address the way callers say it (pure; no database).

`parse_address(text)` finds, from the start of the address, its province, city,
district (county level) and township, and leaves the rest (road, number, village,
landmarks) as `rest`. Upper levels missing from the text are inferred from the lower
ones (鹿城区 → 温州市, 浙江省). The parser only reads place names at the head of the
address, one level after the other, each inside the one before: a road that happens to
share a name with a place (杭州市西湖区温州路) never moves an address to that place.

What it accepts (see the tests): full forms (浙江省温州市鹿城区五马街道…), short names
(温州鹿城…, 瑞安塘下镇…), missing upper levels, spaces and punctuation between parts,
full-width digits and letters, prefixes such as 地址：, old names of renamed or merged
districts (洞头县, 苍南县龙港镇), and anything after the places (近华联超市, 3幢2单元).

Never a guess: a name that fits several places (鼓楼区 without its city) leaves the
district untold (`district_code` empty, `place_candidates` says which), a short name
followed by a road word (鹿城路, 中山路) is read as a road, and a township alone tells
its district only when no other township in the country has that name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from postdesk.routing.divisions import (
    CITY,
    COUNTY,
    MUNICIPALITIES,
    PROVINCE,
    TOWN,
    Division,
    Gazetteer,
    gazetteer,
)

# What callers put before the address itself.
_PREFIX = re.compile(
    r"^(?:(?:收件人?|收货|寄件人?|取件|上门|揽收|家庭|联系|详细|客户|我的|我家)?(?:地址|住址)"
    r"(?:是|为|在)?:?|我家住在|我家住|我家在|我住在|家住在|家住|住在)"
)
_COUNTRY = ("中华人民共和国", "中国")
_SEPARATORS = frozenset(",，、;；:/\\-—–·.。()|_#")
# After a *short* place name these words mean the name belongs to a road, a building or
# a village (鹿城路, 温州大学, 龙湾村): it is not read as the place.
_ROAD_WORDS = (
    "路",
    "街",
    "大道",
    "大街",
    "大桥",
    "大厦",
    "大学",
    "巷",
    "弄",
    "桥",
    "广场",
    "公园",
    "中学",
    "小学",
    "医院",
    "号",
    "站",
    "村",
    "东路",
    "西路",
    "南路",
    "北路",
    "中路",
    "花园",
    "小区",
    "社区",
    "居委会",
    "新村",
    "宾馆",
    "酒店",
    "饭店",
    "机场",
    "港",
)

_TOWN_ENDINGS_OLD = ("街道办事处", "街道", "镇", "乡")


@dataclass(frozen=True)
class ParsedAddress:
    province: str = ""
    city: str = ""
    district: str = ""
    town: str = ""
    rest: str = ""
    district_code: str = ""  # the county's code when the district is told, else ""
    town_code: str = ""
    # when a name fitted several places: their codes (the district is then untold)
    place_candidates: tuple[str, ...] = field(default=())
    text: str = ""  # the normalised address

    def as_dict(self) -> dict[str, str]:
        return {
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "town": self.town,
            "rest": self.rest,
        }


def normalise(text: str) -> str:
    """Full-width forms folded (NFKC), invisible format characters and all white space
    removed, a leading 地址： or 中国 dropped."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cf", "Cc"})
    text = "".join(text.split())
    text = _PREFIX.sub("", text, count=1)
    for country in _COUNTRY:
        if text.startswith(country):
            text = text[len(country) :]
            break
    return text


def _effective_level(d: Division) -> int:
    """A municipality (上海市) is its province and its city at once."""
    return CITY if d.level == PROVINCE and d.code in MUNICIPALITIES else d.level


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SEPARATORS:
        pos += 1
    return pos


@dataclass
class _State:
    deepest: Division | None = None
    county: Division | None = None
    town: Division | None = None
    candidates: list[Division] = field(default_factory=list)


def _allowed(gaz: Gazetteer, state: _State, d: Division, kind: str, key: str) -> bool:
    deepest = state.deepest
    if d.level == TOWN:
        if state.county is not None:
            return d.county_code == state.county.code
        # without its county a township must be written in full, inside what was said
        if kind != "full":
            return False
        if deepest is None:
            return d.elsewhere == 0
        return d.within(deepest)
    if deepest is None:
        return True
    if (
        kind == "old"
        and deepest.level == COUNTY
        and gaz.old_within.get((deepest.code, key)) is not None
        and gaz.old_within[(deepest.code, key)].code == d.code
    ):
        return True  # 苍南县龙港镇 → 龙港市: the old name replaces the county
    return _effective_level(d) > _effective_level(deepest) and d.within(deepest)


def _followed_by_road(text: str, end: int) -> bool:
    return text.startswith(_ROAD_WORDS, end)


def _match(gaz: Gazetteer, text: str, pos: int, state: _State) -> tuple[int, list[Division]]:
    """The longest place name at `pos` that fits what was read so far, and the divisions
    it may stand for (shallowest level first; full names before short ones)."""
    for length in range(min(gaz.longest, len(text) - pos), 1, -1):
        key = text[pos : pos + length]
        entries = gaz.names.get(key)
        if not entries:
            continue
        fitting = [
            e
            for e in entries
            if _allowed(gaz, state, e.division, e.kind, key)
            and not (e.kind == "short" and _followed_by_road(text, pos + length))
        ]
        if not fitting:
            continue
        shallowest = min(_effective_level(e.division) for e in fitting)
        fitting = [e for e in fitting if _effective_level(e.division) == shallowest]
        if any(e.kind == "full" for e in fitting):
            fitting = [e for e in fitting if e.kind == "full"]
        return length, [e.division for e in fitting]
    return 0, []


def _common(values: list[str]) -> str:
    return values[0] if values and all(v == values[0] for v in values) else ""


def parse_address(text: str, gaz: Gazetteer | None = None) -> ParsedAddress:
    """Province, city, district, township and the rest of an address."""
    gaz = gaz or gazetteer()
    s = normalise(text)
    state = _State()
    pos = _skip(s, 0)
    while pos < len(s) and state.town is None:
        length, found = _match(gaz, s, pos, state)
        if not found:
            break
        written, pos = s[pos : pos + length], pos + length
        if len(found) > 1:
            state.candidates = found
            pos = _skip(s, pos)
            break
        d = found[0]
        if d.level == TOWN:
            if written != d.name:  # a short name, perhaps with an older ending (北岙镇)
                ending = next((e for e in _TOWN_ENDINGS_OLD if s.startswith(e, pos)), "")
                pos += len(ending)
            state.town = d
            state.county = gaz.by_code[d.county_code]
        elif d.level == COUNTY:
            state.county = d
        state.deepest = d
        pos = _skip(s, pos)
    rest = s[pos:]
    if state.candidates:
        c = state.candidates
        level = c[0].level
        return ParsedAddress(
            province=_common([d.province for d in c]),
            city=_common([d.city for d in c]) if level >= COUNTY else "",
            district=_common([d.county for d in c]) if level >= COUNTY else "",
            rest=rest,
            place_candidates=tuple(d.code for d in c),
            text=s,
        )
    deepest = state.deepest
    if deepest is None:
        return ParsedAddress(rest=rest, text=s)
    county = state.county
    return ParsedAddress(
        province=deepest.province,
        city=deepest.city,
        district=county.name if county is not None else "",
        town=state.town.name if state.town is not None else "",
        rest=rest,
        district_code=county.code if county is not None else "",
        town_code=state.town.code if state.town is not None else "",
        text=s,
    )
