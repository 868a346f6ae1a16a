from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from postdesk.core.auth import STAFF_AUTH
from postdesk.core.errors import ValidationFailed
from postdesk.core.idempotency import idempotent
from postdesk.core.request import client_ip
from postdesk.customers.models import Customer
from postdesk.customers.selectors import (
    CustomerCard,
    customer_card,
    customer_get,
    customer_timeline,
    customers_search,
)
from postdesk.customers.services import (
    AddressIn,
    CustomerEdit,
    customer_create,
    customer_reveal,
    customer_update,
)
from postdesk.customers.services_merge import customers_merge
from postdesk.org.request import staff_user
from postdesk.org.selectors import unit_by_code

router = Router(auth=STAFF_AUTH, tags=["customers"])


class CustomerOut(Schema):
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
    merged_into: int | None = None


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class TimelineItemOut(Schema):
    at: datetime
    kind: str
    title: str
    status: str
    link: str


class TimelinePage(Schema):
    count: int
    results: list[TimelineItemOut]


class CustomerPatch(Schema):
    """Only the fields given change; `phones` replaces the list (the first is primary),
    `address` the default address's text."""

    name: str | None = Field(None, max_length=100)
    kind: str | None = Field(None, max_length=20)
    phones: list[str] | None = Field(None, max_length=10)
    address: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    preferred_channel: str | None = Field(None, max_length=10)
    consent_sms: bool | None = None
    consent_marketing: bool | None = None
    is_key_account: bool | None = None
    contract_no: str | None = Field(None, max_length=40)
    temperament: str | None = Field(None, max_length=20)
    internal_note: str | None = Field(None, max_length=2000)


class MergeIn(Schema):
    other: int


class MergeOut(Schema):
    customer: CustomerOut
    merged: int
    moved: dict[str, int]


class CustomerFullOut(CustomerOut):
    email: str
    temperament: str
    internal_note: str
    account_manager: str


class CustomerPage(Schema):
    count: int
    results: list[CustomerOut]


class AddressSchema(Schema):
    detail: str = Field(..., max_length=200)
    province: str = Field("", max_length=20)
    city: str = Field("", max_length=20)
    district: str = Field("", max_length=20)
    postcode: str = Field("", max_length=6)


class CustomerIn(Schema):
    name: str = Field(..., max_length=100)
    phones: list[str] = Field(..., max_length=10)
    kind: str = Customer.Kind.PERSON
    addresses: list[AddressSchema] = []
    unit: str | None = None
    email: str = Field("", max_length=254)
    is_key_account: bool = False
    contract_no: str = Field("", max_length=40)
    preferred_channel: str = Customer.Channel.PHONE
    consent_sms: bool = True
    consent_marketing: bool = False
    temperament: str = ""


def _card(card: CustomerCard) -> dict[str, object]:
    return card.__dict__


def _masked(request: HttpRequest, customer_id: int) -> dict[str, object]:
    customer = customer_get(user=staff_user(request), customer_id=customer_id)
    return {
        **_card(customer_card(customer=customer, full=False)),
        "merged_into": customer.merged_into_id,
    }


@router.get("/", response=CustomerPage, summary="Search customers (masked)")
def list_customers(request: HttpRequest, q: str = "", page: int = 1) -> dict[str, object]:
    total, rows = customers_search(user=staff_user(request), q=q, page=page)
    return {"count": total, "results": [_card(customer_card(customer=c, full=False)) for c in rows]}


@router.get(
    "/{customer_id}",
    response={200: CustomerOut, 404: ErrorOut},
    summary="One customer (masked; `merged_into` names the card a merged one went to)",
)
def get_customer(request: HttpRequest, customer_id: int) -> dict[str, object]:
    return _masked(request, customer_id)


@router.patch(
    "/{customer_id}",
    response={200: CustomerOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Correct a customer's card (agents, leads, administrators; each change audited)",
)
def patch_customer(
    request: HttpRequest, customer_id: int, payload: CustomerPatch
) -> dict[str, object]:
    user = staff_user(request)
    customer = customer_get(user=user, customer_id=customer_id)
    customer_update(actor=user, customer=customer, edit=CustomerEdit(**payload.dict()))
    return _masked(request, customer_id)


@router.get(
    "/{customer_id}/timeline",
    response={200: TimelinePage, 404: ErrorOut},
    summary="The customer's calls, work orders, notices and parcels, newest first",
)
def get_timeline(request: HttpRequest, customer_id: int, page: int = 1) -> dict[str, object]:
    user = staff_user(request)
    customer = customer_get(user=user, customer_id=customer_id)
    total, items = customer_timeline(user=user, customer=customer, page=min(max(page, 1), 500))
    return {"count": total, "results": [item.__dict__ for item in items]}


@router.post(
    "/{customer_id}/merge",
    response={200: MergeOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Merge the card `other` into this one (team leads, administrators)",
)
def merge_customer(request: HttpRequest, customer_id: int, payload: MergeIn) -> dict[str, object]:
    user = staff_user(request)
    keep = customer_get(user=user, customer_id=customer_id)
    drop = customer_get(user=user, customer_id=payload.other)
    moved = customers_merge(actor=user, keep=keep, drop=drop)
    return {"customer": _masked(request, customer_id), "merged": drop.pk, "moved": moved}


@router.post(
    "/{customer_id}/full",
    response=CustomerFullOut,
    summary="One customer in full (written to the access log; POST: no link can trigger it)",
)
def get_customer_full(request: HttpRequest, customer_id: int) -> dict[str, object]:
    customer = customer_get(user=staff_user(request), customer_id=customer_id)
    card = customer_reveal(actor=staff_user(request), customer=customer, ip=client_ip(request))
    return _card(card)


@router.post("/", response={201: CustomerOut}, summary="Create a customer")
@idempotent
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[dict[str, object]]:
    unit = None
    if payload.unit:
        unit = unit_by_code(code=payload.unit)
        if unit is None:
            raise ValidationFailed(fields={"unit": _("Unknown unit.")})
    customer = customer_create(
        actor=staff_user(request),
        name=payload.name,
        phones=payload.phones,
        kind=payload.kind,
        addresses=[AddressIn(**a.dict()) for a in payload.addresses],
        unit=unit,
        email=payload.email,
        is_key_account=payload.is_key_account,
        contract_no=payload.contract_no,
        preferred_channel=payload.preferred_channel,
        consent_sms=payload.consent_sms,
        consent_marketing=payload.consent_marketing,
        temperament=payload.temperament,
    )
    customer = customer_get(user=staff_user(request), customer_id=customer.pk)
    return Status(201, _card(customer_card(customer=customer, full=False)))
