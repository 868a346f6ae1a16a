"""The likely-typo positions of a mistyped S10 number (pure)."""

from __future__ import annotations

import itertools

from postdesk.portal.typo import likely_typo_positions, swapped_neighbours
from postdesk.tracking.waybill import is_valid_waybill, s10_check_digit

VALID = "EA473124829CN"


def test_a_valid_or_non_s10_number_has_no_typo():
    assert is_valid_waybill(VALID)
    assert likely_typo_positions(VALID) == []
    assert likely_typo_positions("1234567890") == []


def test_every_single_digit_typo_names_its_position():
    for pos, digit in itertools.product(range(2, 11), "0123456789"):
        wrong = VALID[:pos] + digit + VALID[pos + 1 :]
        if is_valid_waybill(wrong):
            continue
        found = likely_typo_positions(wrong)
        assert pos + 1 in found, (wrong, found)
        assert all(3 <= p <= 11 for p in found)


def test_every_neighbour_swap_is_named_first():
    for i in range(2, 10):
        swapped = VALID[:i] + VALID[i + 1] + VALID[i] + VALID[i + 2 :]
        if swapped == VALID or is_valid_waybill(swapped):
            continue
        found = likely_typo_positions(swapped)
        assert {i + 1, i + 2} <= set(found), (swapped, found)
        assert s10_check_digit(VALID[2:10]) == 9


def test_a_swap_is_recognised_as_a_swap():
    swapped = VALID[:4] + VALID[5] + VALID[4] + VALID[6:]
    assert swapped == "EA471324829CN" and not is_valid_waybill(swapped)
    assert swapped_neighbours(swapped) == (5, 6)
    assert swapped_neighbours(VALID) is None
