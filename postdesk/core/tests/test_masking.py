"""Masking of personal data for lists (pure)."""

from __future__ import annotations

import pytest

from postdesk.core.masking import mask_address, mask_name, mask_phone


@pytest.mark.parametrize(
    ("display", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0577-88123456", "0577-****3456"),
        ("010-12345678", "010-****5678"),
        ("4008111185", "40******85"),
        ("11185", "11185"),
        ("", ""),
    ],
)
def test_mask_phone(display, masked):
    assert mask_phone(display) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("王晓燕", "王**"), ("欧阳娜娜", "欧***"), ("李", "李*"), ("", "")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_address_keeps_the_district_and_hides_the_street():
    full = "浙江省温州市鹿城区五马街12号3幢401室"
    masked = mask_address(full)
    assert masked == "浙江省温州市****"
    assert "五马街" not in masked and "401" not in masked
    assert mask_address("五马街") == "五马*"
