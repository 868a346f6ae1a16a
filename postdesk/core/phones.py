"""Phone-number normalisation (pure; uses the `phonenumbers` library).

Every phone number is stored in one canonical form so a caller is found by any way the
number was written: mobile numbers and landlines as E.164 (`+8613812345678`,
`+8657788123456`), service numbers such as 400/800 lines as E.164 too, and short
service codes (11185, 95598) as their digits.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_STRIP = re.compile(r"[\s\-().·/]")
# Short service numbers kept as their digits: the 95xxx/96xxx blocks of national and local
# service lines (95598, 95555, ...), and the named 1xxxx lines a caller or a unit record
# may carry. Any other five-digit string (12345, 11111, ...) is not a phone number here.
_SERVICE_BLOCK = re.compile(r"^9[56]\d{3}$")
SERVICE_SHORT_CODES = frozenset(
    {
        "10000",
        "10010",
        "10086",
        "10099",  # telecom carriers
        "11183",
        "11185",  # EMS, China Post
        "12306",
        "12315",
        "12333",
        "12348",
        "12366",
        "12368",  # rail, market, social, legal, tax, court
    }
)


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str, *, default_area_code: str = "577") -> str:
    """Return the canonical form of `raw`, or raise InvalidPhone.

    - `+86 138 1234 5678`, `8613812345678`, `138-1234-5678` -> `+8613812345678`
    - `0577-88123456` -> `+8657788123456`; `88123456` (no area code) -> the default area
    - `400-811-1185`, `800 820 1185` -> `+864008111185`, `+868008201185`
    - `11185` -> `11185`

    Remembered per process (a pure function of its arguments; one intake asks it three
    times: the duplicate check, the order, the answer).
    """
    canonical = _normalized(raw or "", default_area_code)
    if canonical is None:
        raise InvalidPhone(raw)
    return canonical


@lru_cache(maxsize=4096)
def _normalized(raw: str, default_area_code: str) -> str | None:
    text = _STRIP.sub("", raw)
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    if not re.fullmatch(r"\+?\d+", text):
        return None
    if text in SERVICE_SHORT_CODES or _SERVICE_BLOCK.fullmatch(text):
        return text
    if not text.startswith("+"):
        if text.startswith("86") and len(text) == 13 and text[2] == "1":
            text = "+" + text
        elif len(text) in (7, 8) and text[0] not in "01":
            text = "0" + default_area_code.lstrip("0") + text
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str, *, default_area_code: str = "577") -> str | None:
    try:
        return normalize_phone(raw, default_area_code=default_area_code)
    except InvalidPhone:
        return None


def display_phone(canonical: str) -> str:
    """The national form agents are used to: `13812345678`, `0577-88123456`.

    A Chinese mobile number (`+861` and ten more digits, the most common by far) is its
    eleven digits without parsing: what `phonenumbers` answers for every such number
    (`core/tests/test_phones.py` checks it over every five-digit prefix), cheap enough
    for an export of a million rows."""
    if not canonical.startswith("+"):
        return canonical
    mobile = len(canonical) == 14 and canonical.startswith("+861")
    if mobile and canonical.isascii() and canonical[1:].isdecimal():
        return canonical[3:]
    return _display_parsed(canonical)


@lru_cache(maxsize=4096)
def _display_parsed(canonical: str) -> str:
    try:
        number = phonenumbers.parse(canonical, None)
    except phonenumbers.NumberParseException:
        return canonical
    if number.country_code != 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = str(number.national_number)
    if national.startswith("1") and len(national) == 11:
        return national
    if national.startswith(("400", "800")):
        return national
    area_len = (
        2 if national[:2] in {"10", "20", "21", "22", "23", "24", "25", "27", "28", "29"} else 3
    )
    return f"0{national[:area_len]}-{national[area_len:]}"
