"""Masking of personal data for lists and for roles that do not need it in full (pure)."""

from __future__ import annotations


def mask_phone(display: str) -> str:
    """`13812345678` -> `138****5678`; `0577-88123456` -> `0577-****3456`."""
    if not display:
        return ""
    if "-" in display:
        area, rest = display.split("-", 1)
        return f"{area}-{'*' * max(len(rest) - 4, 0)}{rest[-4:]}"
    if len(display) <= 5:
        return display
    if len(display) >= 11:
        return f"{display[:3]}****{display[-4:]}"
    return f"{display[:2]}{'*' * (len(display) - 4)}{display[-2:]}"


def mask_name(name: str) -> str:
    """`张三` -> `张*`; `欧阳娜娜` -> `欧***`; `Wenzhou Shoes Co.` keeps its first letter."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * min(max(len(name) - 1, 1), 3)


def mask_address(address: str, keep: int = 6) -> str:
    """Keep the start (province, city, district) and hide the street and number."""
    address = (address or "").strip()
    if len(address) <= keep:
        return address[:2] + "*" * max(len(address) - 2, 0)
    return address[:keep] + "****"
