"""Where a mistyped S10 number probably went wrong. Pure module, no Django.

A wrong check digit means one of the nine digits (eight serial digits and the check digit)
was mistyped or two neighbours were swapped. We try every single-digit change and every
swap of neighbours and name the positions (1-based, counted over the whole number) where
one such change makes the number valid again: the likeliest typos first (swaps, then the
positions with the fewest candidate digits).
"""

from __future__ import annotations

from postdesk.tracking.waybill import S10_RE, s10_check_digit


def _valid(digits: str) -> bool:
    return int(digits[8]) == s10_check_digit(digits[:8])


def likely_typo_positions(number: str) -> list[int]:
    """Positions (1-based over the 13 characters) that may hold the typo; [] when the
    number is not S10-shaped or already valid."""
    if not S10_RE.match(number):
        return []
    digits = number[2:11]
    if _valid(digits):
        return []
    swaps: list[int] = []
    for i in range(8):
        a, b = digits[i], digits[i + 1]
        if a != b and _valid(digits[:i] + b + a + digits[i + 2 :]):
            swaps += [i + 3, i + 4]
    singles: list[tuple[int, int]] = []
    for i in range(9):
        fixes = sum(
            1 for d in "0123456789" if d != digits[i] and _valid(digits[:i] + d + digits[i + 1 :])
        )
        if fixes:
            singles.append((fixes, i + 3))
    ordered = swaps + [pos for _n, pos in sorted(singles)]
    seen: list[int] = []
    for pos in ordered:
        if pos not in seen:
            seen.append(pos)
    return seen


def swapped_neighbours(number: str) -> tuple[int, int] | None:
    """The one pair of neighbouring digits (1-based positions) whose swap makes the number
    valid, when exactly one pair does."""
    if not S10_RE.match(number):
        return None
    digits = number[2:11]
    if _valid(digits):
        return None
    pairs = [
        (i + 3, i + 4)
        for i in range(8)
        if digits[i] != digits[i + 1]
        and _valid(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])
    ]
    return pairs[0] if len(pairs) == 1 else None
