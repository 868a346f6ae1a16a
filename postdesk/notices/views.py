"""Pages of notices 通知: the agent's issue form and list, the notice's page, the unit's
inbox (phone-first: acknowledge, and feed back in one step) and the team lead's chase
list. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postdesk.core.errors import DomainError, NotFound, ValidationFailed
from postdesk.core.forms import add_domain_error
from postdesk.core.request import client_ip, post_or_redirect
from postdesk.customers.selectors import can_view_full
from postdesk.notices import flows, selectors
from postdesk.notices.forms import ListFilterForm, NoticeForm, choices, list_filters
from postdesk.notices.models import Notice
from postdesk.notices.services import (
    notice_act,
    notice_contact_masked,
    notice_contact_reveal,
    notice_issue,
    notice_mark_read,
)
from postdesk.notices.services.contact import Contact
from postdesk.notify.selectors import sms_about, sms_replies_about
from postdesk.notify.sms import flow as sms_flow
from postdesk.notify.sms import rules as sms_rules
from postdesk.org.models import Role, User
from postdesk.org.request import staff_user
from postdesk.workorders.forms import unit_choices
from postdesk.workorders.labels import lang

PAGE_SIZE = 25
FIELD_LABELS = {
    "result": gettext_lazy("Result"),
    "reason": gettext_lazy("Reason"),
    "text": gettext_lazy("Text"),
    "unit": gettext_lazy("Unit"),
}
LEADS = {Role.LEAD, Role.DIRECTOR, Role.ADMIN}


def _label(table: tuple[flows.Label, ...], code: str) -> str:
    return flows.label(table, code, lang())


def _row(notice: Notice, now: datetime) -> dict[str, Any]:
    contact = notice_contact_masked(notice)
    return {
        "notice": notice,
        "kind": _label(flows.KINDS, notice.kind),
        "status": _label(flows.STATUSES, notice.status),
        "result": _label(flows.RESULTS, notice.result) if notice.result else "",
        "reason": _label(flows.REASONS, notice.reason) if notice.reason else "",
        "overdue": selectors.is_overdue(notice, now),
        "contact": contact,
    }


def _to_notice(number: str, **_kw: Any) -> str:
    return reverse("notices:detail", kwargs={"number": number})


@login_required
def notice_new(request: HttpRequest) -> HttpResponse:
    """Issue a notice; prefilled from a call, a work order or the parcel view
    (?call=&work_order=&waybill=&phone=&name=&address=&kind=)."""
    user = staff_user(request)
    get = request.GET
    initial = {
        "kind": get.get("kind", "redelivery")[:20],
        "waybill_no": get.get("waybill", "")[:40],
        "phone": get.get("phone", "")[:40],
        "name": get.get("name", "")[:100],
        "address": get.get("address", "")[:300],
        "work_order": get.get("work_order", "")[:20],
        "call": get.get("call", "")[:100],
        "unit": get.get("unit", "")[:20],
    }
    form = NoticeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = None
                if data["work_order"]:
                    from postdesk.workorders.selectors import work_order_get

                    try:
                        order = work_order_get(user=user, number=data["work_order"].strip())
                    except NotFound:
                        raise ValidationFailed(
                            fields={"work_order": _("Unknown work order.")}
                        ) from None
                notice = notice_issue(
                    actor=user,
                    kind=data["kind"],
                    unit=data["unit"] or None,
                    waybill_no=data["waybill_no"],
                    phone=data["phone"],
                    name=data["name"],
                    address=data["address"],
                    window_start=data["window_start"],
                    window_end=data["window_end"],
                    text=data["text"],
                    work_order=order,
                    call_id=data["call"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Notice %(number)s issued to %(unit)s.")
                    % {"number": notice.number, "unit": notice.unit.name},
                )
                return redirect("notices:detail", number=notice.number)
        else:
            status = 400
    return render(request, "notices/new.html", {"form": form}, status=status)


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = ListFilterForm(request.GET or None)
    filters = list_filters(form)
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    error = None
    try:
        result = selectors.notices_list(user=user, filters=filters, page=page, page_size=PAGE_SIZE)
    except ValidationFailed as exc:
        error = exc
        result = selectors.Page(0, 1, PAGE_SIZE, [])
    now = timezone.now()
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "notices/list.html",
        {
            "form": form,
            "rows": [_row(n, now) for n in result.results],
            "result": result,
            "pages": max((result.count + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "query": urlencode(query),
            "error": error,
        },
    )


def _feedback_choices() -> dict[str, list[tuple[str, str]]]:
    return {"results": choices(flows.RESULTS), "reasons": choices(flows.REASONS, blank=True)}


@login_required
def notice_inbox(request: HttpRequest) -> HttpResponse:
    """The unit's open notices, the most urgent first, each with its one-step feedback."""
    user = staff_user(request)
    now = timezone.now()
    rows = []
    for notice in selectors.notices_inbox(user=user):
        row = _row(notice, now)
        row["actions"] = selectors.notice_allowed_actions(user=user, notice=notice)
        rows.append(row)
    return render(request, "notices/inbox.html", {"rows": rows, **_feedback_choices()})


@login_required
def notice_chase(request: HttpRequest) -> HttpResponse:
    """The team lead's chase list: notices without feedback, the oldest first."""
    user = staff_user(request)
    if user.role not in LEADS and not user.is_superuser:
        raise NotFound()
    now = timezone.now()
    rows = [_row(n, now) for n in selectors.notices_chase(user=user)]
    return render(
        request,
        "notices/chase.html",
        {"rows": rows, "overdue_count": sum(1 for r in rows if r["overdue"])},
    )


def _render_detail(
    request: HttpRequest,
    user: User,
    notice: Notice,
    *,
    contact: Contact | None = None,
    failure: tuple[str, DomainError, dict[str, str]] | None = None,
) -> HttpResponse:
    now = timezone.now()
    notice = Notice.objects.select_related(
        "unit", "issued_unit", "work_order", "issued_by", "acknowledged_by", "fed_back_by"
    ).get(pk=notice.pk)
    row = _row(notice, now)
    if contact is not None:
        row["contact"] = contact
    action_labels = {code: _label(flows.ACTIONS, code) for code, _zh, _en in flows.ACTIONS}
    events = [
        {
            "event": e,
            "label": action_labels.get(e.action) or _event_label(e.action),
            "from": _label(flows.STATUSES, e.from_status) if e.from_status else "",
            "to": _label(flows.STATUSES, e.to_status) if e.to_status else "",
            "result": _label(flows.RESULTS, e.data.get("result", ""))
            if e.data.get("result")
            else "",
            "reason": _label(flows.REASONS, e.data.get("reason", ""))
            if e.data.get("reason")
            else "",
        }
        for e in selectors.notice_events(notice=notice)
    ]
    sms = [
        {
            "message": m,
            "template": _template_name(m.template),
            "status": sms_flow.status_label(m.status, lang()),
            "phone": notice_contact_masked(notice).phone,
        }
        for m in sms_about(related_type="notice", related_id=notice.number)
    ]
    status = 200
    failed_action = ""
    if failure is not None:
        failed_action, exc, _values = failure
        status = exc.status
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "row": row,
            "actions": [
                (a, action_labels[a])
                for a in selectors.notice_allowed_actions(user=user, notice=notice)
            ],
            "events": events,
            "recipients": selectors.notice_recipients(notice=notice),
            "sms": sms,
            "replies": sms_replies_about(related_type="notice", related_id=notice.number),
            "can_reveal": contact is None
            and bool(notice.phone or notice.name or notice.address)
            and can_view_full(user=user),
            "units": unit_choices(),
            "failure": failure[1] if failure else None,
            "failure_fields": [
                (FIELD_LABELS.get(name, name), message)
                for name, message in (failure[1].fields.items() if failure else [])
            ],
            "failed_action": failed_action,
            "values": failure[2] if failure else {},
            **_feedback_choices(),
        },
        status=status,
    )


def _event_label(action: str) -> str:
    return {
        "issue": _("Issued"),
        "warning": _("Deadline warning"),
        "escalation": _("Overdue, team lead told"),
        "customer_reply": _("Customer replied"),
        "customer_confirmed": _("Customer confirmed"),
    }.get(action, action)


def _template_name(code: str) -> str:
    template = sms_rules.TEMPLATES.get(code)
    return template.name if template is not None else code


@login_required
def notice_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    notice = selectors.notice_get(user=user, number=number)
    notice_mark_read(user=user, notice=notice)
    return _render_detail(request, user, notice)


@login_required
@post_or_redirect(_to_notice)
def notice_contact_view(request: HttpRequest, number: str) -> HttpResponse:
    """The customer's contact in full on the notice's page (one access-log entry)."""
    user = staff_user(request)
    notice = selectors.notice_get(user=user, number=number)
    contact = notice_contact_reveal(actor=user, notice=notice, ip=client_ip(request))
    return _render_detail(request, user, notice, contact=contact)


@login_required
@post_or_redirect(_to_notice)
def notice_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """acknowledge / feedback / reroute / cancel from the notice's page or the inbox."""
    user = staff_user(request)
    notice = selectors.notice_get(user=user, number=number)
    payload = {
        k: str(v).strip()
        for k, v in request.POST.items()
        if k in {"result", "reason", "text", "unit"} and str(v).strip()
    }
    version_raw = request.POST.get("version", "")
    try:
        notice = notice_act(
            actor=user,
            notice=notice,
            action=action,
            payload=payload,
            expected_version=int(version_raw) if version_raw.isdigit() else None,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _render_detail(request, user, notice, failure=(action, exc, payload))
    messages.success(
        request,
        _("%(action)s: done (notice %(number)s).")
        % {"action": _label(flows.ACTIONS, action), "number": notice.number},
    )
    if request.POST.get("next") == "inbox":
        return redirect("notices:inbox")
    return redirect("notices:detail", number=notice.number)
