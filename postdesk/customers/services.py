"""Writes of customers, and the logged full view and export of their personal data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from postdesk.core.phones import InvalidPhone, display_phone, normalize_phone
from postdesk.core.services import access_log_record
from postdesk.customers.models import Customer, CustomerAddress, CustomerChange, CustomerPhone
from postdesk.customers.rules import can_edit_customer
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


@dataclass(frozen=True)
class CustomerEdit:
    """What an edit changes: None leaves a field as it is. `phones` replaces the list
    (the first is the primary); `address` replaces the default address's text."""

    name: str | None = None
    kind: str | None = None
    phones: Sequence[str] | None = None
    address: str | None = None
    email: str | None = None
    preferred_channel: str | None = None
    consent_sms: bool | None = None
    consent_marketing: bool | None = None
    is_key_account: bool | None = None
    contract_no: str | None = None
    temperament: str | None = None
    internal_note: str | None = None


_PLAIN_FIELDS = (
    "name",
    "kind",
    "email",
    "preferred_channel",
    "consent_sms",
    "consent_marketing",
    "is_key_account",
    "contract_no",
    "temperament",
    "internal_note",
)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _edit_checked(customer: Customer, edit: CustomerEdit) -> dict[str, object]:
    """The new values (stripped) of the fields the edit names; every error at once."""
    errors: dict[str, str] = {}
    new: dict[str, object] = {}
    for name in _PLAIN_FIELDS:
        value = getattr(edit, name)
        if value is not None:
            new[name] = value.strip() if isinstance(value, str) else value
    if "name" in new and not new["name"]:
        errors["name"] = _("Enter the customer's name.")
    if new.get("kind", customer.kind) not in Customer.Kind.values:
        errors["kind"] = _("Unknown kind of customer.")
    if new.get("preferred_channel", customer.preferred_channel) not in Customer.Channel.values:
        errors["preferred_channel"] = _("Unknown contact channel.")
    if new.get("temperament", customer.temperament) not in Customer.Temperament.values:
        errors["temperament"] = _("Unknown temperament.")
    key = new.get("is_key_account", customer.is_key_account)
    if key and not str(new.get("contract_no", customer.contract_no)).strip():
        errors["contract_no"] = _("A key account needs its contract number.")
    email = str(new.get("email", ""))
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    if edit.phones is not None:
        numbers, phone_error = _phones_checked(edit.phones)
        if phone_error or not numbers:
            errors["phones"] = phone_error or _("Enter at least one phone number.")
        new["phones"] = numbers
    if edit.address is not None:
        new["address"] = edit.address.strip()
        if len(str(new["address"])) > 200:
            errors["address"] = _("The address is too long (200 characters at most).")
    if errors:
        raise ValidationFailed(fields=errors)
    return new


def _save_phones(customer: Customer, numbers: list[tuple[str, str]]) -> None:
    kept = {p.number: p for p in CustomerPhone.objects.filter(customer=customer)}
    wanted = [number for number, _raw in numbers]
    CustomerPhone.objects.filter(customer=customer).exclude(number__in=wanted).delete()
    for index, (number, raw) in enumerate(numbers):
        phone = kept.get(number)
        if phone is None:
            CustomerPhone.objects.create(
                customer=customer,
                number=number,
                raw=raw,
                kind=_phone_kind(number),
                is_primary=index == 0,
            )
        elif phone.is_primary != (index == 0):
            phone.is_primary = index == 0
            phone.save(update_fields=["is_primary"])


def _save_address(customer: Customer, text: str) -> None:
    default = (
        CustomerAddress.objects.filter(customer=customer).order_by("-is_default", "id").first()
    )
    if not text:
        if default is not None:
            default.delete()
    elif default is None:
        CustomerAddress.objects.create(customer=customer, detail=text, is_default=True)
    else:  # the text as typed replaces the parts it was shown from
        default.province = default.city = default.district = ""
        default.detail = text
        default.is_default = True
        default.save(update_fields=["province", "city", "district", "detail", "is_default"])


def _address_text(customer: Customer) -> str:
    default = (
        CustomerAddress.objects.filter(customer=customer).order_by("-is_default", "id").first()
    )
    return default.full if default is not None else ""


def customer_update(*, actor: User, customer: Customer, edit: CustomerEdit) -> list[CustomerChange]:
    """Correct a card; each field that changed is audited (who, when, old → new) in the
    same transaction. Bad input: every field at fault at once, nothing written."""
    if not scope_for(user=actor).allows_unit(customer.unit_id):
        raise NotFound()
    if not can_edit_customer(actor, customer):
        raise PermissionDenied(_("Your role does not edit customers' cards."))
    if customer.merged_into_id is not None:
        raise Conflict(
            _("This card was merged into another one; edit that card instead."),
            code="customer_merged",
        )
    new = _edit_checked(customer, edit)
    now = timezone.now()
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if locked.merged_into_id is not None:
            raise Conflict(
                _("This card was merged into another one; edit that card instead."),
                code="customer_merged",
            )
        changes: list[CustomerChange] = []

        def audit(field: str, old: str, value: str) -> None:
            changes.append(
                CustomerChange(
                    customer=locked, actor=actor, at=now, field=field, old=old, new=value
                )
            )

        updated = []
        for name in _PLAIN_FIELDS:
            if name in new and getattr(locked, name) != new[name]:
                audit(name, _text(getattr(locked, name)), _text(new[name]))
                setattr(locked, name, new[name])
                updated.append(name)
        if updated:
            locked.save(update_fields=[*updated, "updated_at"])
        if "phones" in new:
            numbers: list[tuple[str, str]] = new["phones"]  # type: ignore[assignment]
            old_numbers = list(
                CustomerPhone.objects.filter(customer=locked)
                .order_by("-is_primary", "id")
                .values_list("number", flat=True)
            )
            if old_numbers != [n for n, _raw in numbers]:
                audit(
                    "phones",
                    ", ".join(display_phone(n) for n in old_numbers),
                    ", ".join(display_phone(n) for n, _r in numbers),
                )
                _save_phones(locked, numbers)
        if "address" in new:
            old_address = _address_text(locked)
            if old_address != new["address"]:
                audit("address", old_address, str(new["address"]))
                _save_address(locked, str(new["address"]))
        CustomerChange.objects.bulk_create(changes)
    return changes
