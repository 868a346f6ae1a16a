"""Reads of customers, always through the reader's scope, masked unless asked otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from postdesk.core.errors import NotFound
from postdesk.core.masking import mask_address, mask_name, mask_phone
from postdesk.core.paging import page_start
from postdesk.core.phones import display_phone, try_normalize_phone
from postdesk.customers.models import Customer, CustomerAddress, CustomerPhone
from postdesk.org.models import Role, User
from postdesk.org.selectors import scope_for

# Roles whose work needs a customer's personal data in full (each full view is logged).
FULL_VIEW_ROLES = frozenset({Role.AGENT, Role.LEAD, Role.HANDLER, Role.ADMIN})


def can_view_full(*, user: User) -> bool:
    return user.is_superuser or user.role in FULL_VIEW_ROLES


@dataclass(frozen=True)
class CustomerCard:
    """What a page or the API shows of a customer: masked, or in full."""

    id: int
    kind: str
    name: str
    phones: list[str]
    addresses: list[str]
    is_key_account: bool
    contract_no: str
    unit: str | None
    preferred_channel: str
    masked: bool
    email: str = ""
    temperament: str = ""  # internal; never on a customer-facing surface
    internal_note: str = ""
    account_manager: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def customers_visible(*, user: User) -> QuerySet[Customer]:
    scope = scope_for(user=user)
    customers = Customer.objects.all()
    if scope.everything:
        return customers
    return customers.filter(unit_id__in=scope.unit_ids)


def _with_contacts(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    return customers.select_related("unit", "account_manager").prefetch_related(
        Prefetch("phones", queryset=CustomerPhone.objects.order_by("-is_primary", "id")),
        Prefetch("addresses", queryset=CustomerAddress.objects.order_by("-is_default", "id")),
    )


def customer_get(*, user: User, customer_id: int) -> Customer:
    customer = _with_contacts(customers_visible(user=user)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    return customer


def customer_card(*, customer: Customer, full: bool) -> CustomerCard:
    phones = [display_phone(p.number) for p in customer.phones.all()]
    addresses = [a.full for a in customer.addresses.all()]
    name = customer.name
    if not full:
        phones = [mask_phone(p) for p in phones]
        addresses = [mask_address(a) for a in addresses]
        if customer.kind == Customer.Kind.PERSON:
            name = mask_name(name)
    return CustomerCard(
        id=customer.pk,
        kind=customer.kind,
        name=name,
        phones=phones,
        addresses=addresses,
        is_key_account=customer.is_key_account,
        contract_no=customer.contract_no,
        unit=customer.unit.code if customer.unit else None,
        preferred_channel=customer.preferred_channel,
        masked=not full,
        email=customer.email if full else "",
        temperament=customer.temperament,
        internal_note=customer.internal_note if full else "",
        account_manager=str(customer.account_manager) if customer.account_manager else "",
    )


def customers_by_phone(*, user: User, raw: str) -> list[Customer]:
    """Every customer the reader may see with this number (several when a number is
    shared), by index."""
    number = try_normalize_phone(raw, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE)
    if number is None:
        return []
    customers = customers_visible(user=user)
    return list(_with_contacts(customers.filter(phones__number=number).distinct()).order_by("id"))


def customers_filtered(*, user: User, q: str = "") -> QuerySet[Customer]:
    """The customers the list's search box finds, in the user's scope."""
    customers = customers_visible(user=user)
    q = q.strip()
    if q:
        number = try_normalize_phone(q, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE)
        condition = Q(name__startswith=q) | Q(contract_no=q)
        if number is not None:
            condition |= Q(phones__number=number)
        customers = customers.filter(condition).distinct()
    return customers


def customers_with_contacts(ids: list[int]) -> list[Customer]:
    """These customers with their phones and addresses (an export's chunk), by id desc."""
    return list(_with_contacts(Customer.objects.filter(pk__in=ids)).order_by("-id"))


def customers_search(
    *, user: User, q: str = "", page: int = 1, page_size: int = 25
) -> tuple[int, list[Customer]]:
    customers = customers_filtered(user=user, q=q)
    total = customers.count()
    start = page_start(max(page, 1), page_size)
    rows = list(_with_contacts(customers.order_by("-id"))[start : start + page_size])
    return total, rows


def sms_consent(phone: str) -> bool:
    """Whether the owner of `phone` (canonical form) agrees to SMS notices: False only
    when the customers with this number all declined (`consent_sms` off on their card);
    a number no customer has is a caller we know nothing against. A system check (the
    SMS gateway's), not a read for a user: it shows nothing."""
    answers = set(
        CustomerPhone.objects.filter(number=phone).values_list("customer__consent_sms", flat=True)
    )
    return not answers or True in answers
