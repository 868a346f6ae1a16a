"""The customer list's export (one definition of its columns): the page's synchronous
CSV and the background export both write `COLUMNS` and `card_row`. Personal data in full
(no internal fields: temperament, notes), so only roles that see customers in full export
them, and every export is written to the access log."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from postdesk.core.exportlists import CHUNK, ExportList, check_keys, register_export_list
from postdesk.customers.selectors import (
    CustomerCard,
    can_view_full,
    customer_card,
    customers_filtered,
    customers_with_contacts,
)
from postdesk.org.models import User

KEY = "customers"
COLUMNS = (_("ID"), _("Name"), _("Phones"), _("Addresses"), _("E-mail"), _("Contract number"))


def card_row(card: CustomerCard) -> list[Any]:
    return [
        card.id,
        card.name,
        " / ".join(card.phones),
        " / ".join(card.addresses),
        card.email,
        card.contract_no,
    ]


def parse_filters(raw: Mapping[str, Any]) -> dict[str, str]:
    return {"q": check_keys(raw, ["q"]).get("q", "")}


def columns(user: User) -> Sequence[Any]:
    return COLUMNS


def rows(user: User, filters: dict[str, str]) -> Iterator[list[Any]]:
    ids = customers_filtered(user=user, q=filters["q"]).order_by("-id").values_list("pk", flat=True)
    chunk: list[int] = []
    for pk in ids.iterator(chunk_size=CHUNK):
        chunk.append(pk)
        if len(chunk) == CHUNK:
            yield from _chunk_rows(chunk)
            chunk = []
    yield from _chunk_rows(chunk)


def _chunk_rows(ids: list[int]) -> Iterator[list[Any]]:
    for customer in customers_with_contacts(ids):
        yield card_row(customer_card(customer=customer, full=True))


def count(user: User, filters: dict[str, str]) -> int:
    return customers_filtered(user=user, q=filters["q"]).order_by().count()


def register() -> None:
    register_export_list(
        ExportList(
            key=KEY,
            label=_("Customers"),
            parse_filters=parse_filters,
            columns=columns,
            rows=rows,
            count=count,
            allowed=lambda user: can_view_full(user=user),
            full=lambda user: True,
            subject_type="customer",
        )
    )
