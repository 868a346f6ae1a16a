"""Phone normalisation on the ways people really write Chinese numbers (pure)."""

from __future__ import annotations

import pytest

from postdesk.core.phones import (
    InvalidPhone,
    _display_parsed,
    display_phone,
    normalize_phone,
    try_normalize_phone,
)

# (as written, canonical form, display form)
REAL_FORMATS = [
    ("+86 138 1234 5678", "+8613812345678", "13812345678"),
    ("8613812345678", "+8613812345678", "13812345678"),
    ("138-1234-5678", "+8613812345678", "13812345678"),
    ("138 1234 5678", "+8613812345678", "13812345678"),
    ("13812345678", "+8613812345678", "13812345678"),
    ("0086 138 1234 5678", "+8613812345678", "13812345678"),
    ("0577-88123456", "+8657788123456", "0577-88123456"),
    ("057788123456", "+8657788123456", "0577-88123456"),
    ("88123456", "+8657788123456", "0577-88123456"),  # no area code: Wenzhou's 0577
    ("(0577)88123456", "+8657788123456", "0577-88123456"),
    ("0577 8812 3456", "+8657788123456", "0577-88123456"),
    ("010-12345678", "+861012345678", "010-12345678"),
    ("021-12345678", "+862112345678", "021-12345678"),
    ("400-811-1185", "+864008111185", "4008111185"),
    ("800 820 8820", "+868008208820", "8008208820"),
    ("11185", "11185", "11185"),
    ("95598", "95598", "95598"),
]

INVALID = [
    "12345",  # five digits, but no service line
    "11111",
    "abc",
    "138-abcd-5678",
    "电话13812345678",
    "1381234567890123",  # too long
    "+86 138 1234 5678 9",
    "1234567",  # too short for a landline, too long for a short code
    "",
    "   ",
    "---",
]


@pytest.mark.parametrize(("raw", "canonical", "display"), REAL_FORMATS)
def test_real_formats_normalise_to_one_canonical_form(raw, canonical, display):
    assert normalize_phone(raw) == canonical
    assert display_phone(canonical) == display


@pytest.mark.parametrize(("raw", "canonical", "display"), REAL_FORMATS)
def test_display_form_round_trips(raw, canonical, display):
    assert normalize_phone(display_phone(canonical)) == canonical


@pytest.mark.parametrize("raw", INVALID)
def test_invalid_numbers_raise(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)
    assert try_normalize_phone(raw) is None


def test_default_area_code_is_configurable():
    assert normalize_phone("88123456", default_area_code="0571") == "+8657188123456"
    assert normalize_phone("88123456", default_area_code="571") == "+8657188123456"
    # an explicit area code wins over the default
    assert normalize_phone("010-12345678", default_area_code="571") == "+861012345678"


def test_the_mobile_shortcut_answers_what_phonenumbers_answers():
    """display_phone skips parsing for `+861` and ten digits: the same answer as the
    library's for every five-digit prefix (two numbers each), and not for look-alikes."""
    import random

    rng = random.Random(17)
    for prefix in range(10000, 20000):
        for _ in range(2):
            canonical = f"+86{prefix}{rng.randrange(10**6):06d}"
            assert display_phone(canonical) == _display_parsed(canonical), canonical
    for odd in ("+86138123456789", "+8613812345٦78", "+8657788123456", "+85261234567"):
        assert display_phone(odd) == _display_parsed(odd)
