from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from postdesk.core.errors import DomainError
from postdesk.core.exports import safe_row
from postdesk.core.forms import add_domain_error
from postdesk.core.request import client_ip
from postdesk.customers.exports import COLUMNS, card_row
from postdesk.customers.forms import CustomerForm
from postdesk.customers.selectors import (
    can_view_full,
    customer_card,
    customer_get,
    customers_search,
)
from postdesk.customers.services import (
    AddressIn,
    customer_create,
    customer_reveal,
    customers_export,
)
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


@login_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get(user=staff_user(request), customer_id=customer_id)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "card": customer_card(customer=customer, full=False),
            "can_reveal": can_view_full(user=staff_user(request)),
        },
    )


@login_required
@require_POST
def customer_reveal_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get(user=staff_user(request), customer_id=customer_id)
    card = customer_reveal(actor=staff_user(request), customer=customer, ip=client_ip(request))
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "card": card,
            "can_reveal": False,
            "revealed": True,
        },
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
