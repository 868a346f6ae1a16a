"""A few customers in known units, created through the real service."""

from __future__ import annotations

import pytest

from postdesk.customers.services import AddressIn, customer_create


@pytest.fixture
def people(staff, org):
    """张三 (鹿城支局), 李四 (龙湾支局, shares 张三's landline), 王五 (瑞安城关), 赵六 (乐清)."""
    admin = staff["admin"]

    def make(name, unit, phones, detail, **extra):
        return customer_create(
            actor=admin,
            name=name,
            unit=org[unit],
            phones=phones,
            addresses=[
                AddressIn(province="浙江省", city="温州市", district="鹿城区", detail=detail)
            ],
            **extra,
        )

    return {
        "lc": make(
            "张三",
            "WZ-LC01",
            ["138-1234-5678", "0577-88123456"],
            "五马街12号3幢401室",
            email="zhangsan@example.cn",
            temperament="agitated",
            internal_note="多次投诉，沟通时请耐心",
        ),
        "lw": make("李四", "WZ-LW01", ["13900001111", "88123456"], "永中街道8号"),
        "ra": make("王五", "RA-01", ["13700002222"], "安阳街道99号"),
        "yq": make("赵六", "YQ-01", ["13600003333"], "城东街道1号"),
    }
