"""Demo customers: 1,000 people and organisations with phones and addresses
(deterministic), and `seed_scale(n)` for large synthetic sets by bulk insert."""

from __future__ import annotations

import random
import time
from typing import Any

from django.db import connection, transaction

from postdesk.core.fake import address, company_name, landline, mobile, person_name
from postdesk.core.phones import normalize_phone
from postdesk.customers.models import Customer, CustomerAddress, CustomerPhone
from postdesk.org.models import Unit, User

DEMO_CUSTOMERS = 1000
TEMPERAMENTS = ["", "", "", "", "", "", "agitated", "confused", "demanding"]


def _rows(
    rng: random.Random, count: int, units: list[Unit], managers: list[User], start_index: int
) -> tuple[list[Customer], list[list[str]], list[tuple[str, str, str, str]]]:
    customers, phones, addresses = [], [], []
    for i in range(count):
        is_org = rng.random() < 0.08
        customer = Customer(
            kind=Customer.Kind.ORGANISATION if is_org else Customer.Kind.PERSON,
            name=company_name(rng) if is_org else person_name(rng),
            unit=rng.choice(units),
            is_key_account=is_org and rng.random() < 0.6,
            preferred_channel=rng.choice(["phone", "phone", "sms", "email"])
            if not is_org
            else "phone",
            consent_sms=rng.random() < 0.9,
            temperament=rng.choice(TEMPERAMENTS),
        )
        if customer.is_key_account:
            customer.contract_no = f"DKH{2026000 + start_index + i}"
            customer.account_manager = rng.choice(managers) if managers else None
        numbers = [mobile(rng)]
        if rng.random() < 0.25 or is_org:
            numbers.append(landline(rng))
        customers.append(customer)
        phones.append(numbers)
        addresses.append(address(rng))
    return customers, phones, addresses


def _insert(
    customers: list[Customer], phones: list[list[str]], addresses: list[tuple[str, str, str, str]]
) -> None:
    Customer.objects.bulk_create(customers, batch_size=2000)
    phone_rows, address_rows = [], []
    for customer, numbers, (province, city, district, detail) in zip(
        customers, phones, addresses, strict=True
    ):
        for index, raw in enumerate(numbers):
            canonical = normalize_phone(raw)
            phone_rows.append(
                CustomerPhone(
                    customer=customer,
                    number=canonical,
                    raw=raw,
                    is_primary=index == 0,
                    kind="mobile" if canonical.startswith("+861") else "landline",
                )
            )
        address_rows.append(
            CustomerAddress(
                customer=customer,
                province=province,
                city=city,
                district=district,
                detail=detail,
                is_default=True,
            )
        )
    CustomerPhone.objects.bulk_create(phone_rows, batch_size=5000, ignore_conflicts=True)
    CustomerAddress.objects.bulk_create(address_rows, batch_size=5000)


def _context() -> tuple[list[Unit], list[User]]:
    units = list(Unit.objects.filter(type__in=["branch", "county_bureau"]).order_by("code"))
    managers = list(User.objects.filter(username__in=["director1", "lead1"]).order_by("username"))
    return units, managers


def seed(stdout: Any = None) -> None:
    if (
        Customer.objects.filter(contract_no__startswith="DKH").exists()
        or Customer.objects.count() >= DEMO_CUSTOMERS
    ):
        return
    units, managers = _context()
    rng = random.Random(2006)
    customers, phones, addresses = _rows(rng, DEMO_CUSTOMERS, units, managers, 0)
    # A family landline shared by two customers: the screen pop offers both.
    phones[1].append(phones[0][-1] if len(phones[0]) > 1 else "0577-88123456")
    phones[0].append("0577-88123456")
    with transaction.atomic():
        _insert(customers, phones, addresses)
    if stdout is not None:
        stdout.write(f"demo customers: {Customer.objects.count()}")


def seed_scale(n: int, stdout: Any = None) -> None:
    """Add n synthetic customers (bulk inserts in batches of 20,000)."""
    units, managers = _context()
    rng = random.Random(n + Customer.objects.count())
    started = time.monotonic()
    done = 0
    offset = Customer.objects.count()
    while done < n:
        batch = min(20000, n - done)
        customers, phones, addresses = _rows(rng, batch, units, managers, offset + done)
        with transaction.atomic():
            _insert(customers, phones, addresses)
        done += batch
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE customers_customer; ANALYZE customers_customerphone")
    if stdout is not None:
        stdout.write(f"customers: +{n} in {time.monotonic() - started:.1f}s")
