"""A caller is found by any way of writing any of their numbers, through the index."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from postdesk.customers.models import Customer, CustomerPhone
from postdesk.customers.selectors import customers_by_phone

pytestmark = pytest.mark.django_db

MOBILE_WRITINGS = [
    "13812345678",
    "+86 138 1234 5678",
    "8613812345678",
    "138-1234-5678",
    "138 1234 5678",
    "0086 138 1234 5678",
]
LANDLINE_WRITINGS = ["0577-88123456", "057788123456", "88123456", "(0577)88123456"]


@pytest.mark.parametrize("raw", MOBILE_WRITINGS)
def test_found_by_any_writing_of_the_mobile(people, staff, raw):
    assert [c.pk for c in customers_by_phone(user=staff["agent1"], raw=raw)] == [people["lc"].pk]


@pytest.mark.parametrize("raw", LANDLINE_WRITINGS)
def test_a_shared_landline_returns_both_customers(people, staff, raw):
    assert [c.pk for c in customers_by_phone(user=staff["agent1"], raw=raw)] == [
        people["lc"].pk,
        people["lw"].pk,
    ]


def test_stored_as_given_but_matched_canonically(people):
    phones = {p.raw: p.number for p in CustomerPhone.objects.filter(customer=people["lw"])}
    assert phones == {"13900001111": "+8613900001111", "88123456": "+8657788123456"}


def test_lookup_through_the_readers_scope(people, staff):
    assert [c.pk for c in customers_by_phone(raw="88123456", user=staff["branch2"])] == [
        people["lw"].pk
    ]
    assert customers_by_phone(raw="88123456", user=staff["ra_agent1"]) == []


def test_unknown_or_invalid_numbers_find_nobody(people, staff):
    for raw in ("13999999999", "12345", "not a number"):
        assert customers_by_phone(user=staff["agent1"], raw=raw) == []


def test_the_same_number_twice_for_one_customer_is_stored_once(staff, org):
    from postdesk.customers.services import customer_add_phone, customer_create

    customer = customer_create(
        actor=staff["agent1"], name="孙八", phones=["13512345678", "135-1234-5678"]
    )
    assert CustomerPhone.objects.filter(customer=customer).count() == 1
    customer_add_phone(actor=staff["agent1"], customer=customer, raw="+86 135 1234 5678")
    assert CustomerPhone.objects.filter(customer=customer).count() == 1


@pytest.mark.postgresql  # EXPLAIN plans are checked on PostgreSQL
def test_number_lookup_uses_the_index_on_postgresql(people):
    # a realistic table: a few thousand other numbers, statistics up to date
    rng = random.Random(7)
    filler = Customer.objects.bulk_create(Customer(name=f"客户{i}") for i in range(3000))
    CustomerPhone.objects.bulk_create(
        CustomerPhone(customer=c, number=f"+86139{rng.randrange(10**8):08d}") for c in filler
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer; ANALYZE customers_customerphone")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customerphone' "
            "AND indexdef LIKE %s",
            ["%(number%"],
        )
        number_indexes = {row[0] for row in cursor.fetchall()}
    assert number_indexes, "no index leads with customers_customerphone.number"

    query = Customer.objects.filter(phones__number="+8657788123456").distinct()
    plan = query.explain()
    assert "customers_customerphone" in plan
    assert any(name in plan for name in number_indexes), plan
    assert "Seq Scan on customers_customerphone" not in plan, plan
