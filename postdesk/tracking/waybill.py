"""Waybill numbers (运单号): UPU S10 check digit and validation.

Pure module, no Django. An S10 number is two letters, eight serial digits, a check
digit and a two-letter country code (``EA123456789CN``). Any other waybill number
must be 10 to 20 letters or digits.
"""

from __future__ import annotations

import re
from enum import StrEnum

S10_WEIGHTS: tuple[int, ...] = (8, 6, 4, 2, 3, 5, 9, 7)
S10_RE = re.compile(r"^[A-Z]{2}[0-9]{9}[A-Z]{2}$")
OTHER_RE = re.compile(r"^[A-Z0-9]{10,20}$")


class WaybillKind(StrEnum):
    S10 = "s10"
    OTHER = "other"


class WaybillError(ValueError):
    """A waybill number that fails validation; ``reason`` is a short English msgid."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def s10_check_digit(serial: str) -> int:
    """Check digit of an eight-digit S10 serial number.

    >>> s10_check_digit("47312482")
    9
    """
    if len(serial) != 8 or not serial.isascii() or not serial.isdigit():
        raise ValueError("an S10 serial number is exactly eight digits")
    total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return 0
    if check == 11:
        return 5
    return check


def normalize_waybill(raw: str) -> str:
    """Strip surrounding blanks and upper-case; no validation."""
    return raw.strip().upper()


def validate_waybill(raw: str) -> tuple[str, WaybillKind]:
    """Return the normalised number and its kind, or raise :class:`WaybillError`."""
    number = normalize_waybill(raw)
    if not number:
        raise WaybillError("missing waybill number")
    if S10_RE.match(number):
        if int(number[10]) != s10_check_digit(number[2:10]):
            raise WaybillError("S10 check digit does not match")
        return number, WaybillKind.S10
    if OTHER_RE.match(number):
        return number, WaybillKind.OTHER
    raise WaybillError("waybill number must be an S10 number or 10 to 20 letters or digits")


def is_valid_waybill(raw: str) -> bool:
    try:
        validate_waybill(raw)
    except WaybillError:
        return False
    return True


def s10_country(number: str) -> str | None:
    """The country code of a valid S10 number (its last two letters), else None."""
    return number[-2:] if S10_RE.match(number) else None
