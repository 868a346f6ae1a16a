"""Normalised tracking event codes and the aliases accepted on import.

Pure module, no Django. The English code is what is stored; Chinese names (and the
English codes in any case) are accepted as aliases.
"""

from __future__ import annotations

from typing import Final

ACCEPTED: Final = "ACCEPTED"
DEPARTED: Final = "DEPARTED"
ARRIVED: Final = "ARRIVED"
OUT_FOR_DELIVERY: Final = "OUT_FOR_DELIVERY"
DELIVERED: Final = "DELIVERED"
DELIVERY_FAILED: Final = "DELIVERY_FAILED"
RETURNED: Final = "RETURNED"
CUSTOMS: Final = "CUSTOMS"
HELD: Final = "HELD"
AWAITING_PICKUP: Final = "AWAITING_PICKUP"
INFO: Final = "INFO"

#: code -> (English label msgid, Chinese label). Order is the natural life cycle.
CODES: Final[dict[str, tuple[str, str]]] = {
    ACCEPTED: ("Accepted", "收寄"),
    DEPARTED: ("Departed", "封发/离开"),
    ARRIVED: ("Arrived", "到达"),
    CUSTOMS: ("Customs", "海关处理"),
    HELD: ("Held", "滞留"),
    OUT_FOR_DELIVERY: ("Out for delivery", "安排投递/派送"),
    AWAITING_PICKUP: ("Awaiting pickup", "待自取"),
    DELIVERED: ("Delivered", "妥投"),
    DELIVERY_FAILED: ("Delivery failed", "未妥投"),
    RETURNED: ("Returned", "退回"),
    INFO: ("Information", "信息"),
}

#: Result codes: they close a delivery attempt.
RESULT_CODES: Final = frozenset({DELIVERED, DELIVERY_FAILED})
#: Codes that take part in the delivery KPIs.
DELIVERY_CODES: Final = frozenset({OUT_FOR_DELIVERY, DELIVERED, DELIVERY_FAILED})
#: After one of these the item needs nothing more from us (not stale, not chased).
FINAL_CODES: Final = frozenset({DELIVERED, RETURNED})

_ALIASES: Final[dict[str, str]] = {
    "收寄": ACCEPTED,
    "揽收": ACCEPTED,
    "已收寄": ACCEPTED,
    "封发": DEPARTED,
    "离开": DEPARTED,
    "封发/离开": DEPARTED,
    "发出": DEPARTED,
    "已发出": DEPARTED,
    "到达": ARRIVED,
    "已到达": ARRIVED,
    "海关": CUSTOMS,
    "海关处理": CUSTOMS,
    "清关": CUSTOMS,
    "滞留": HELD,
    "安排投递": OUT_FOR_DELIVERY,
    "派送": OUT_FOR_DELIVERY,
    "安排投递/派送": OUT_FOR_DELIVERY,
    "派件": OUT_FOR_DELIVERY,
    "投递中": OUT_FOR_DELIVERY,
    "待自取": AWAITING_PICKUP,
    "待取件": AWAITING_PICKUP,
    "妥投": DELIVERED,
    "已妥投": DELIVERED,
    "签收": DELIVERED,
    "已签收": DELIVERED,
    "未妥投": DELIVERY_FAILED,
    "投递失败": DELIVERY_FAILED,
    "退回": RETURNED,
    "已退回": RETURNED,
    "退件": RETURNED,
    "信息": INFO,
    "OFD": OUT_FOR_DELIVERY,
}


def alias_table() -> dict[str, str]:
    """Every accepted spelling (upper-cased, stripped) -> normalised code."""
    table = {code: code for code in CODES}
    table.update({k.upper(): v for k, v in _ALIASES.items()})
    return table


ALIASES: Final[dict[str, str]] = alias_table()


def normalize_code(raw: str) -> str | None:
    """The normalised code for ``raw`` (a code or an alias), or None if unknown."""
    return ALIASES.get(raw.strip().upper().replace(" ", "_").replace("-", "_"))


def code_label_zh(code: str) -> str:
    return CODES.get(code, (code, code))[1]
