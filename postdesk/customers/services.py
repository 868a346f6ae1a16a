"""Writes of customers, and the logged full view and export of their personal data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.core.phones import InvalidPhone, normalize_phone
from postdesk.core.services import access_log_record
from postdesk.customers.models import Customer, CustomerAddress, CustomerPhone
from postdesk.customers.selectors import CustomerCard, can_view_full, customer_card
from postdesk.org.models import Unit, User
from postdesk.org.selectors import scope_for


@dataclass(frozen=True)
class AddressIn:
    detail: str
    province: str = ""
    city: str = ""
    district: str = ""
    postcode: str = ""
    label: str = ""


def _phone_kind(number: str) -> str:
    if number.startswith("+861") and len(number) == 14:
        return CustomerPhone.Kind.MOBILE
    if number.startswith(("+86400", "+86800")) or not number.startswith("+"):
        return CustomerPhone.Kind.SERVICE
    return CustomerPhone.Kind.LANDLINE


def _normalize_all(raw_phones: Sequence[str]) -> list[tuple[str, str]]:
    numbers, error = _phones_checked(raw_phones)
    if error:
        raise ValidationFailed(fields={"phones": error})
    return numbers


def _phones_checked(raw_phones: Sequence[str]) -> tuple[list[tuple[str, str]], str]:
    """The (number, as typed) pairs, without repeats, and the error of the first bad one."""
    result: list[tuple[str, str]] = []
    for raw in raw_phones:
        if not raw.strip():
            continue
        try:
            number = normalize_phone(raw, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE)
        except InvalidPhone:
            return result, _("“%(phone)s” is not a valid phone number.") % {"phone": raw.strip()}
        if number not in {n for n, _raw in result}:
            result.append((number, raw.strip()))
    return result, ""


def customer_create(
    *,
    actor: User,
    name: str,
    phones: Sequence[str],
    kind: str = Customer.Kind.PERSON,
    addresses: Sequence[AddressIn] = (),
    unit: Unit | None = None,
    email: str = "",
    is_key_account: bool = False,
    contract_no: str = "",
    account_manager: User | None = None,
    preferred_channel: str = Customer.Channel.PHONE,
    consent_sms: bool = True,
    consent_marketing: bool = False,
    temperament: str = "",
    internal_note: str = "",
) -> Customer:
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Enter the customer's name.")
    if kind not in Customer.Kind.values:
        errors["kind"] = _("Unknown kind of customer.")
    if preferred_channel not in Customer.Channel.values:
        errors["preferred_channel"] = _("Unknown contact channel.")
    if temperament not in Customer.Temperament.values:
        errors["temperament"] = _("Unknown temperament.")
    if is_key_account and not contract_no.strip():
        errors["contract_no"] = _("A key account needs its contract number.")
    scope = scope_for(user=actor)
    if unit is None and not scope.everything:
        unit = actor.unit
    if unit is not None and not scope.allows_unit(unit.pk):
        errors["unit"] = _("You cannot add customers to this unit.")
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    numbers, phone_error = _phones_checked(phones)
    if phone_error or not numbers:
        errors["phones"] = phone_error or _("Enter at least one phone number.")
    if errors:  # every field at fault at once, not one per try
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        customer = Customer.objects.create(
            kind=kind,
            name=name,
            unit=unit,
            email=email,
            is_key_account=is_key_account,
            contract_no=contract_no.strip(),
            account_manager=account_manager,
            preferred_channel=preferred_channel,
            consent_sms=consent_sms,
            consent_marketing=consent_marketing,
            temperament=temperament,
            internal_note=internal_note,
        )
        CustomerPhone.objects.bulk_create(
            CustomerPhone(
                customer=customer,
                number=number,
                raw=raw,
                kind=_phone_kind(number),
                is_primary=index == 0,
            )
            for index, (number, raw) in enumerate(numbers)
        )
        CustomerAddress.objects.bulk_create(
            CustomerAddress(
                customer=customer,
                detail=a.detail.strip(),
                province=a.province,
                city=a.city,
                district=a.district,
                postcode=a.postcode,
                label=a.label,
                is_default=index == 0,
            )
            for index, a in enumerate(addresses)
            if a.detail.strip()
        )
    return customer


def customer_add_phone(*, actor: User, customer: Customer, raw: str) -> CustomerPhone:
    if not scope_for(user=actor).allows_unit(customer.unit_id):
        raise NotFound()
    numbers = _normalize_all([raw])
    if not numbers:
        raise ValidationFailed(fields={"phones": _("Enter a phone number.")})
    number, given = numbers[0]
    with transaction.atomic():
        phone, _created = CustomerPhone.objects.get_or_create(
            customer=customer,
            number=number,
            defaults={"raw": given, "kind": _phone_kind(number)},
        )
    return phone


def customer_reveal(*, actor: User, customer: Customer, ip: str | None = None) -> CustomerCard:
    """The full personal data of one customer, written to the access log."""
    if not can_view_full(user=actor):
        raise PermissionDenied(_("Your role does not see customers' personal data in full."))
    access_log_record(
        actor=actor,
        subject_type="customer",
        subjects=[(str(customer.pk), customer.name)],
        what="view",
        ip=ip,
    )
    return customer_card(customer=customer, full=True)


def customers_export(
    *, actor: User, customers: Iterable[Customer], ip: str | None = None, detail: str = ""
) -> list[CustomerCard]:
    """Full rows for an export (no internal fields in them), each logged."""
    if not can_view_full(user=actor):
        raise PermissionDenied(_("Your role does not export customers' personal data."))
    rows = list(customers)
    access_log_record(
        actor=actor,
        subject_type="customer",
        subjects=[(str(c.pk), c.name) for c in rows],
        what="export",
        ip=ip,
        detail=detail,
    )
    return [customer_card(customer=c, full=True) for c in rows]
