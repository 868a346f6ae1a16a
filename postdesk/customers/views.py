from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postdesk.core.errors import DomainError, NotFound
from postdesk.core.exports import safe_row
from postdesk.core.forms import add_domain_error
from postdesk.core.request import client_ip
from postdesk.customers.exports import COLUMNS, card_row
from postdesk.customers.forms import CustomerEditForm, CustomerForm, MergeForm
from postdesk.customers.models import Customer
from postdesk.customers.rules import can_edit_customer, can_merge_customers
from postdesk.customers.selectors import (
    CustomerCard,
    can_view_full,
    customer_card,
    customer_changes,
    customer_duplicates,
    customer_get,
    customer_references,
    customer_timeline,
    customers_search,
)
from postdesk.customers.services import (
    AddressIn,
    CustomerEdit,
    customer_create,
    customer_reveal,
    customer_update,
    customers_export,
)
from postdesk.customers.services_merge import customers_merge
from postdesk.org.request import staff_user

PAGE_SIZE = 25


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    total, rows = customers_search(user=staff_user(request), q=q, page=page, page_size=PAGE_SIZE)
    cards = [customer_card(customer=c, full=False) for c in rows]
    paginator = Paginator(range(total), PAGE_SIZE)
    return render(
        request,
        "customers/list.html",
        {
            "cards": cards,
            "q": q,
            "total": total,
            "page": page,
            "pages": paginator.num_pages,
            "can_export": can_view_full(user=staff_user(request)),
        },
    )


def _page(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page", "1")), 1), 500)
    except ValueError:
        return 1


def _detail(
    request: HttpRequest, customer: Customer, card: CustomerCard, *, full: bool
) -> HttpResponse:
    user = staff_user(request)
    page = _page(request)
    total, timeline = customer_timeline(user=user, customer=customer, page=page)
    pages = Paginator(range(total), 20).num_pages
    merged = customer.merged_into_id is None
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "card": card,
            "can_reveal": can_view_full(user=user) and not full,
            "revealed": full,
            "can_edit": merged and can_edit_customer(user, customer),
            "can_merge": merged and can_merge_customers(user),
            "timeline": timeline,
            "timeline_total": total,
            "timeline_page": page,
            "timeline_pages": pages,
            "changes": customer_changes(customer=customer, full=full),
            "duplicates": [
                customer_card(customer=c, full=False)
                for c in customer_duplicates(user=user, customer=customer)
            ]
            if merged and can_merge_customers(user)
            else [],
        },
    )


@login_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get(user=staff_user(request), customer_id=customer_id)
    return _detail(request, customer, customer_card(customer=customer, full=False), full=False)


@login_required
@require_POST
def customer_reveal_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get(user=staff_user(request), customer_id=customer_id)
    card = customer_reveal(actor=staff_user(request), customer=customer, ip=client_ip(request))
    return _detail(request, customer, card, full=True)


def _edit_initial(card: CustomerCard, customer: Customer) -> dict[str, object]:
    return {
        "name": card.name,
        "kind": customer.kind,
        "phones": ", ".join(card.phones),
        "address": card.addresses[0] if card.addresses else "",
        "email": card.email,
        "preferred_channel": customer.preferred_channel,
        "consent_sms": customer.consent_sms,
        "consent_marketing": customer.consent_marketing,
        "is_key_account": customer.is_key_account,
        "contract_no": customer.contract_no,
        "temperament": customer.temperament,
        "internal_note": card.internal_note,
    }


@login_required
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Opening the form shows the card in full, so it is a POST (`step=open`) written to
    the access log; saving is `step=save`. A GET goes back to the card."""
    user = staff_user(request)
    customer = customer_get(user=user, customer_id=customer_id)
    if request.method != "POST":
        return redirect("customers:detail", customer_id=customer_id)
    if not can_edit_customer(user, customer) or customer.merged_into_id is not None:
        raise NotFound()
    status = 200
    if request.POST.get("step") == "save":
        form = CustomerEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            edit = CustomerEdit(
                **{k: v for k, v in data.items() if k != "phones"},
                phones=[p for p in data["phones"].replace("，", ",").split(",")],
            )
            try:
                changes = customer_update(actor=user, customer=customer, edit=edit)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if changes:
                    messages.success(
                        request, _("The card has been saved; the changes are in its history.")
                    )
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("customers:detail", customer_id=customer_id)
        status = 400
    else:
        card = customer_reveal(actor=user, customer=customer, ip=client_ip(request))
        form = CustomerEditForm(initial=_edit_initial(card, customer))
    return render(
        request, "customers/edit.html", {"form": form, "customer": customer}, status=status
    )


@login_required
def customer_merge(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Merge another card into this one: a GET with `other` shows both cards side by
    side and what would move; the POST merges."""
    user = staff_user(request)
    keep = customer_get(user=user, customer_id=customer_id)
    if not can_merge_customers(user):
        raise NotFound()
    form = MergeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return redirect("customers:detail", customer_id=customer_id)
    try:
        drop = customer_get(user=user, customer_id=form.cleaned_data["other"])
    except NotFound:
        drop = None
        form.add_error("other", _("No customer card with this number that you may see."))
    status = 200
    if drop is not None and request.method == "POST":
        try:
            customers_merge(actor=user, keep=keep, drop=drop)
        except DomainError as exc:
            add_domain_error(form, exc)
            status = exc.status
        else:
            messages.success(
                request,
                _("Card %(other)d has been merged into this one.") % {"other": drop.pk},
            )
            return redirect("customers:detail", customer_id=customer_id)
    elif drop is not None and (drop.pk == keep.pk or drop.merged_into_id or keep.merged_into_id):
        form.add_error(
            "other",
            _("A card cannot be merged into itself.")
            if drop.pk == keep.pk
            else _("One of these cards has already been merged into another."),
        )
    if drop is None:
        status = 404 if request.method == "GET" else 400
    return render(
        request,
        "customers/merge.html",
        {
            "form": form,
            "keep": keep,
            "drop": drop,
            "keep_card": customer_card(customer=keep, full=False),
            "drop_card": customer_card(customer=drop, full=False) if drop else None,
            "keep_refs": customer_references(customer=keep),
            "drop_refs": customer_references(customer=drop) if drop else [],
        },
        status=status,
    )


@login_required
def customer_new(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, initial={"phones": request.GET.get("phone", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = customer_create(
                actor=staff_user(request),
                name=data["name"],
                kind=data["kind"],
                phones=[p for p in data["phones"].replace("，", ",").split(",")],
                addresses=[AddressIn(detail=data["address"])] if data["address"] else [],
                email=data["email"],
                is_key_account=data["is_key_account"],
                contract_no=data["contract_no"],
                preferred_channel=data["preferred_channel"],
                consent_sms=data["consent_sms"],
                temperament=data["temperament"] or "",
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("customers:detail", customer_id=customer.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "customers/new.html", {"form": form}, status=status)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_POST  # it writes to the access log: no link or image may trigger it
def customer_export(request: HttpRequest) -> StreamingHttpResponse:
    q = request.POST.get("q", "")
    _total, rows = customers_search(user=staff_user(request), q=q, page=1, page_size=5000)
    cards = customers_export(
        actor=staff_user(request),
        customers=rows,
        ip=client_ip(request),
        detail=f"q={q}"[:200],
    )
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(safe_row([str(c) for c in COLUMNS]))
        for card in cards:  # internal fields (temperament, notes) are never exported
            yield writer.writerow(safe_row(card_row(card)))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customers.csv"'
    return response
