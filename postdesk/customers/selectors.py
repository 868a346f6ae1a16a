"""Reads of customers, always through the reader's scope, masked unless asked otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from postdesk.core.errors import NotFound
from postdesk.core.masking import mask_address, mask_name, mask_phone
from postdesk.core.paging import page_start
from postdesk.core.phones import display_phone, try_normalize_phone
from postdesk.customers.models import Customer, CustomerAddress, CustomerChange, CustomerPhone
from postdesk.customers.timeline import PARCELS, PROVIDERS, TimelineItem
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

    @property
    def temperament_label(self) -> str:
        """The temperament as the page names it (the code is the API's)."""
        if self.temperament not in Customer.Temperament.values:
            return self.temperament
        return str(Customer.Temperament(self.temperament).label)


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
    """The customers the list's search box finds, in the user's scope (not merged ones)."""
    customers = customers_visible(user=user).filter(merged_into__isnull=True)
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


def customer_duplicates(*, user: User, customer: Customer, limit: int = 5) -> list[Customer]:
    """Other cards the reader may see that share a phone number with this one (likely the
    same person: the merge's candidates), not merged ones, oldest first."""
    numbers = customer_numbers(customer=customer)
    if not numbers:
        return []
    others = (
        customers_visible(user=user)
        .filter(merged_into__isnull=True, phones__number__in=numbers)
        .exclude(pk=customer.pk)
        .distinct()
        .order_by("id")
    )
    return list(_with_contacts(others)[:limit])


TIMELINE_PAGE = 20


def customer_timeline(
    *, user: User, customer: Customer, page: int = 1, page_size: int = TIMELINE_PAGE
) -> tuple[int, list[TimelineItem]]:
    """The customer's calls, work orders, notices and parcels that the reader may see,
    newest first, one page of them, and how many there are. Each provider gives its own
    newest `page × page_size` (enough for this page of the merge)."""
    page = max(page, 1)
    limit = page * page_size
    total = 0
    items: list[TimelineItem] = []
    waybills: set[str] = set()
    for kind in sorted(PROVIDERS):
        part = PROVIDERS[kind](user, customer, limit)
        total += part.count
        items += part.items
        waybills |= part.waybills
    reader = PARCELS.get("parcel")
    if reader is not None and waybills:
        part = reader(user, sorted(waybills), limit)
        total += part.count
        items += part.items
    items.sort(key=lambda item: (item.at, item.kind, item.title), reverse=True)
    start = (page - 1) * page_size
    return total, items[start : start + page_size]


def customer_numbers(*, customer: Customer) -> list[str]:
    """The card's phone numbers in canonical form (what the other apps store)."""
    return list(CustomerPhone.objects.filter(customer=customer).values_list("number", flat=True))


# Fields whose values are personal data: the audit shows them masked unless in full.
PERSONAL_FIELDS = frozenset({"name", "phones", "address", "email", "internal_note"})


def _mask_value(field_name: str, value: str, kind: str) -> str:
    if not value:
        return ""
    if field_name == "phones":
        return ", ".join(mask_phone(p.strip()) for p in value.split(","))
    if field_name == "address":
        return mask_address(value)
    if field_name == "name":
        return mask_name(value) if kind == Customer.Kind.PERSON else value
    if field_name == "email":
        local, _at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"
    return "***"


_CHOICES: dict[str, type[models.TextChoices]] = {
    "kind": Customer.Kind,
    "preferred_channel": Customer.Channel,
    "temperament": Customer.Temperament,
}
_BOOLEANS = frozenset({"consent_sms", "consent_marketing", "is_key_account"})


def _shown(field_name: str, value: str) -> str:
    """A stored value as the page shows it: a choice's label, yes/no for a switch."""
    if field_name in _CHOICES:
        return str(dict(_CHOICES[field_name].choices).get(value, value))
    if field_name in _BOOLEANS:
        return _("yes") if value == "1" else _("no")
    return value


@dataclass(frozen=True)
class ChangeLine:
    at: datetime
    actor: str
    field: str
    old: str
    new: str


def customer_changes(*, customer: Customer, full: bool, limit: int = 50) -> list[ChangeLine]:
    """The card's audit, newest first; personal values masked unless `full` (the caller
    logs a full view: `services.customer_reveal`)."""
    rows = CustomerChange.objects.filter(customer=customer).select_related("actor")
    lines = []
    for row in rows.order_by("-at", "-id")[:limit]:
        old, new = row.old, row.new
        if not full and row.field in PERSONAL_FIELDS:
            old = _mask_value(row.field, old, customer.kind)
            new = _mask_value(row.field, new, customer.kind)
        old, new = _shown(row.field, old), _shown(row.field, new)
        if not full and row.field == "merge":
            old = _mask_value("name", old, customer.kind)
        actor = ""
        if row.actor is not None:
            actor = getattr(row.actor, "display_name", "") or row.actor.get_username()
        lines.append(ChangeLine(at=row.at, actor=actor, field=row.field, old=old, new=new))
    return lines


def merge_references() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key that points at Customer (a merge moves
    them all; a key another app adds later is found here without a change)."""
    found = []
    for rel in Customer._meta.related_objects:
        field, model = rel.field, rel.related_model
        if isinstance(field, models.ForeignKey) and isinstance(model, type):
            found.append((model, field.name))
    return found


def customer_references(*, customer: Customer) -> list[tuple[str, int]]:
    """How many rows of each kind point at the card (what a merge would move), by the
    models' names in the reader's language; kinds with none left out."""
    counts = []
    for model, field_name in merge_references():
        n = model._base_manager.filter(**{field_name: customer}).count()
        if n:
            counts.append((str(model._meta.verbose_name_plural), n))
    return counts
