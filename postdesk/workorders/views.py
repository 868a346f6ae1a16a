"""Pages of work orders: the intake form, the order page, lists, the unit inbox and the
team lead's board. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import DomainError, NotFound, ValidationFailed
from postdesk.core.forms import add_domain_error
from postdesk.core.masking import mask_name, mask_phone
from postdesk.core.phones import display_phone
from postdesk.core.request import client_ip, post_or_redirect
from postdesk.org.models import Role, Unit, User
from postdesk.org.request import staff_user
from postdesk.routing.selectors import reason_label
from postdesk.workorders import flows, labels, selectors
from postdesk.workorders.action_forms import (
    Failure,
    action_forms,
    failure_remember,
    failure_take,
)
from postdesk.workorders.assign_views import assign_panel
from postdesk.workorders.deadlines import STEP_LABELS as DEADLINE_LABELS
from postdesk.workorders.deadlines import order_deadlines, running_name
from postdesk.workorders.deadlines import units as deadline_units
from postdesk.workorders.forms import ListFilterForm, WorkOrderForm, list_filters, unit_choices
from postdesk.workorders.models import Attachment, WorkOrder
from postdesk.workorders.reply_aids import reply_aids
from postdesk.workorders.rules import (
    can_add_note,
    can_bulk_act,
    can_claim,
    can_manage_tags,
    can_read_board,
)
from postdesk.workorders.selectors_filters import builtin_filters, saved_filters_list
from postdesk.workorders.selectors_to_route import work_orders_to_route
from postdesk.workorders.services import (
    attachment_add,
    attachment_path,
    pickup_dispatch_routed,
    work_order_act,
    work_order_caller_reveal,
    work_order_create,
    work_order_note,
)
from postdesk.workorders.services.attachments import INLINE_TYPES
from postdesk.workorders.services.caller import Caller, caller_masked, can_reveal_caller
from postdesk.workorders.services.create import waybill_check_ok
from postdesk.workorders.services.routing import TO_ROUTE
from postdesk.workorders.sla import policy_for
from postdesk.workorders.tag_views import tag_panel

PAGE_SIZE = 25
#: event data the timeline does not show as chips (ids, and usernames shown by name)
HIDDEN_CHIPS = frozenset(
    {"previous_unit_id", "attachment", "unit", "assignee", "previous_assignee", "tag_id"}
)


def _row(order: WorkOrder, now: Any) -> dict[str, Any]:
    return {
        "order": order,
        "type": labels.type_label(order.type),
        "subtype": labels.subtype_label(order.subtype),
        "status": labels.status_label(order.status),
        "overdue": selectors.work_order_overdue(order=order, now=now),
        "due_label": DEADLINE_LABELS.get(running_name(order), ""),
        "phone": mask_phone(display_phone(order.caller_phone)) if order.caller_phone else "",
        "name": mask_name(order.caller_name),
    }


def _suggest_url() -> str:
    try:
        return reverse("knowledge:suggest")
    except NoReverseMatch:
        return ""


@login_required
def work_order_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    get = request.GET
    initial = {
        "type": get.get("type", "complaint")
        if get.get("type") in dict((t[0], 1) for t in flows.WORK_ORDER_TYPES)
        else "complaint",
        "caller_phone": get.get("phone", "")[:40],
        "customer": get.get("customer") if (get.get("customer") or "").isdigit() else None,
        "call": get.get("call", "")[:64],
        "waybill_no": get.get("waybill", "")[:40],
        "parent": get.get("parent", "")[:20],
    }
    if initial["waybill_no"] and initial["type"] == "tracing":
        initial["dispatch_to"] = selectors.tracing_unit_for_waybill(
            waybill_no=initial["waybill_no"]
        )
    suggested = selectors.dispatch_suggestions(
        waybill_no=str(initial["waybill_no"] or ""),
        customer_id=int(initial["customer"]) if initial["customer"] else None,
    )
    form = WorkOrderForm(request.POST or None, initial=initial, suggested=suggested)
    suggest_url = _suggest_url()
    duplicates: list[WorkOrder] = []
    duplicate_numbers: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        choice = data.get("duplicate_choice") or ""
        if not choice:
            duplicate_numbers = selectors.work_order_duplicates(
                user=user,
                type=data["type"],
                caller_phone=data["caller_phone"],
                waybill_no=data["waybill_no"],
            )
            duplicates = list(
                WorkOrder.objects.filter(number__in=duplicate_numbers)
                .select_related("handling_unit")
                .order_by("-id")
            )
        if duplicates:
            status = 409
        elif choice.startswith("merge:"):
            target = selectors.work_order_get(user=user, number=choice[6:])
            work_order_note(
                actor=user,
                order=target,
                text=_("Same matter raised again by %(phone)s: %(title)s — %(text)s")
                % {
                    "phone": data["caller_phone"] or "-",
                    "title": data["title"],
                    "text": data["description"],
                },
            )
            messages.success(
                request, _("Added to work order %(number)s.") % {"number": target.number}
            )
            return redirect("workorders:detail", number=target.number)
        else:
            try:
                parent = None
                parent_no = choice[5:] if choice.startswith("link:") else data.get("parent")
                if parent_no:
                    parent = selectors.work_order_get(user=user, number=parent_no)
                order = work_order_create(
                    actor=user,
                    type=data["type"],
                    subtype=data["subtype"],
                    title=data["title"],
                    description=data["description"],
                    caller_phone=data["caller_phone"],
                    caller_name=data["caller_name"],
                    waybill_no=data["waybill_no"],
                    priority=data["priority"],
                    customer_id=data.get("customer"),
                    call_id=data.get("call") or "",
                    details=form.details(),
                    regulator_ref=data["regulator_ref"],
                    regulator_due_at=data["regulator_due_at"],
                    parent=parent,
                )
                if data.get("dispatch_to"):
                    try:
                        work_order_act(
                            actor=user,
                            order=order,
                            action="dispatch",
                            payload={"unit": data["dispatch_to"]},
                        )
                    except DomainError as exc:
                        messages.error(request, str(exc.message))
                else:
                    try:
                        pickup_dispatch_routed(
                            actor=user, order=order, confirm=bool(data.get("dispatch_routed"))
                        )
                    except DomainError as exc:
                        messages.error(request, str(exc.message))
                    if order.route_status in TO_ROUTE:
                        messages.warning(
                            request,
                            _(
                                "The address gives no single unit (%(reason)s): the order "
                                "waits in the team lead's “to be routed” queue."
                            )
                            % {"reason": reason_label(order.routing.get("reason", ""))},
                        )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request, _("Work order %(number)s opened.") % {"number": order.number}
                )
                if order.waybill_no and not waybill_check_ok(order.waybill_no):
                    messages.warning(
                        request, _("The waybill number's check digit does not match: check it.")
                    )
                return redirect("workorders:detail", number=order.number)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "workorders/new.html",
        {"form": form, "duplicates": duplicates, "suggest_url": suggest_url},
        status=status,
    )


def _to_order(number: str, **_kwargs: Any) -> str:
    return reverse("workorders:detail", args=[number])


@login_required
def work_order_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    return _render_detail(request, user, order, failure=failure_take(request, number=number))


def _refused(
    request: HttpRequest, order: WorkOrder, action: str, exc: DomainError, values: dict[str, Any]
) -> HttpResponse:
    """Post/redirect/get for a refused action: the order page shows the refusal beside the
    form, with what the user wrote, once."""
    failure_remember(request, number=order.number, action=action, error=exc, values=values)
    anchor = "note" if action == "note" else f"act-{action}"
    return redirect(f"{reverse('workorders:detail', args=[order.number])}#{anchor}")


@login_required
@post_or_redirect(_to_order)
def work_order_caller_view(request: HttpRequest, number: str) -> HttpResponse:
    """Show the caller's phone and name in full (logged); refused to other roles."""
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    caller = work_order_caller_reveal(actor=user, order=order, ip=client_ip(request))
    return _render_detail(request, user, order, caller=caller)


def _render_detail(
    request: HttpRequest,
    user: User,
    order: WorkOrder,
    *,
    failure: Failure | None = None,
    caller: Caller | None = None,
) -> HttpResponse:
    now = timezone.now()
    actions = action_forms(user, order, failure)
    events = selectors.work_order_events(order=order)
    timeline = [
        {
            "event": e,
            "label": labels.action_label(e.action, order.type),
            "from": labels.status_label(e.from_status) if e.from_status else "",
            "to": labels.status_label(e.to_status) if e.to_status else "",
            "chips": [
                (labels.detail_label(k), labels.value_label(v))
                for k, v in e.data.items()
                if k not in HIDDEN_CHIPS and v not in ("", [], None)
            ],
        }
        for e in events
    ]
    return render(
        request,
        "workorders/detail.html",
        {
            "order": order,
            "row": _row(order, now),
            "caller": caller or caller_masked(order),
            "can_reveal": caller is None
            and bool(order.caller_phone or order.caller_name)
            and can_reveal_caller(user=user, order=order),
            "assisting": getattr(order, "_assisting", []),
            "timeline": timeline,
            "actions": actions,
            "details": [
                (labels.detail_label(k), labels.value_label(v)) for k, v in order.details.items()
            ],
            "attachments": list(order.attachments.all()),
            "linked": list(order.linked.only("number", "type", "status", "title")),
            "failure": failure,
            "failure_elsewhere": failure is not None
            and failure.action not in {"assign", "tag", *(a["action"] for a in actions)},
            "assign": assign_panel(user, order, failure),
            "tags": tag_panel(user, order, failure),
            "ruling": labels.choice_label(order.ruling) if order.ruling else "",
            "ruling_state": labels.choice_label(order.ruling_state),
            "satisfaction": labels.choice_label(order.satisfaction) if order.satisfaction else "",
            "can_note": can_add_note(user, order),
            "reply_aids": reply_aids(user=user, order=order),
            "deadlines": order_deadlines(
                order,
                now=now,
                warn_before=policy_for(
                    type=order.type, subtype=order.subtype, priority=order.priority
                ).warn_before,
                terminal=flows.terminal_statuses(),
            ),
            "countdown": {
                "units": "|".join(deadline_units()),
                "left": _("%(span)s left"),
                "late": _("%(span)s late"),
            },
        },
    )


@login_required
@post_or_redirect(_to_order)
def work_order_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    payload: dict[str, Any] = {
        k: str(v).strip()
        for k, v in request.POST.items()
        if k not in {"csrfmiddlewaretoken", "version"}
    }
    payload = {k: v for k, v in payload.items() if v != ""}
    if "assisting_units" in payload:
        payload["assisting_units"] = [
            c for c in request.POST.getlist("assisting_units") if c.strip()
        ]
    if payload.pop("confirm", "") == "1":
        payload["confirm"] = True
    version_raw = request.POST.get("version", "")
    try:
        order = work_order_act(
            actor=user,
            order=order,
            action=action,
            payload=payload,
            expected_version=int(version_raw) if version_raw.isdigit() else None,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        values = dict(payload)
        values["assisting_units"] = request.POST.get("assisting_units", "")
        return _refused(request, order, action, exc, values)
    upload = request.FILES.get("file")
    if upload is not None:
        try:
            attachment_add(
                actor=user, order=order, file=upload, name=upload.name or "file", size=upload.size
            )
        except DomainError as exc:
            messages.error(request, str(exc.fields.get("file") or exc.message))
    messages.success(
        request,
        _("%(action)s: done.") % {"action": labels.action_label(action, order.type)},
    )
    linked = getattr(order, "_linked_created", None)
    if linked is not None:
        return redirect("workorders:detail", number=linked.number)
    if user.role == Role.HANDLER and action in {"return", "transfer"}:
        return redirect("workorders:inbox")
    return redirect("workorders:detail", number=order.number)


@login_required
@post_or_redirect(_to_order)
def work_order_note_view(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    upload = request.FILES.get("file")
    text = request.POST.get("text", "")
    try:
        if text.strip():
            work_order_note(actor=user, order=order, text=text)
        if upload is not None:
            attachment_add(
                actor=user, order=order, file=upload, name=upload.name or "file", size=upload.size
            )
        elif not text.strip():
            raise ValidationFailed(fields={"text": _("Write a note or choose a file.")})
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _refused(request, order, "note", exc, {"text": text})
    return redirect("workorders:detail", number=order.number)


@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    user = staff_user(request)
    attachment = Attachment.objects.select_related("order").filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    selectors.work_order_get(user=user, number=attachment.order.number)  # scope check
    path = attachment_path(attachment)
    if not path.exists():
        raise NotFound()
    inline = attachment.content_type in INLINE_TYPES
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def work_order_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = ListFilterForm(request.GET or None)
    filters = list_filters(form) if request.GET else selectors.ListFilters()
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    error = None
    try:
        result = selectors.work_orders_list(
            user=user, filters=filters, page=page, page_size=PAGE_SIZE
        )
    except ValidationFailed as exc:
        error = exc
        result = selectors.Page(0, True, 1, PAGE_SIZE, [])
    pages = max((result.count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page > pages and result.count_exact:  # past the end (an old link): the last page
        page = pages
        result = selectors.work_orders_list(
            user=user, filters=filters, page=page, page_size=PAGE_SIZE
        )
    now = timezone.now()
    rows = [_row(o, now) for o in result.results]
    tags = selectors.tags_of_orders(orders=result.results)
    for row in rows:
        row["tags"] = tags[row["order"].pk]
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    template = "workorders/_list_table.html" if request.htmx else "workorders/list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "form": form,
            "rows": rows,
            "result": result,
            "pages": pages,
            "query": urlencode(query),
            "error": error,
            "saved_filters": saved_filters_list(user=user),
            "bulk": can_bulk_act(user),
            "bulk_units": unit_choices() if can_bulk_act(user) else [],
            "bulk_tags": selectors.tags_list(user=user) if can_bulk_act(user) else [],
            "can_manage_tags": can_manage_tags(user),
            "bulk_results": request.session.pop("bulk_results", None),
            "builtin_filters": builtin_filters(now=now),
        },
    )


@login_required
def work_order_inbox(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    now = timezone.now()
    view = request.GET.get("view", "all")
    view = view if view in selectors.INBOX_VIEWS else "all"
    orders = selectors.work_orders_inbox(user=user, view=view)
    rows = []
    for order in orders:
        row = _row(order, now)
        row["actions"] = [
            a for a in selectors.work_order_allowed_actions(user=user, order=order) if a == "accept"
        ]
        row["claim"] = can_claim(user, order)
        rows.append(row)
    counts = selectors.work_orders_inbox_counts(user=user)
    tabs = [
        (code, label, counts[code])
        for code, label in (("all", _("All")), ("mine", _("Mine")), ("unassigned", _("Unassigned")))
    ]
    return render(
        request,
        "workorders/inbox.html",
        {"rows": rows, "view": view, "tabs": tabs, "next": f"inbox:{view}"},
    )


def _candidate_choices(units: Sequence[Unit], tree: list[tuple[str, str]]) -> list[Any]:
    """The dispatch list of one queued order: its candidates first, then every unit."""
    why = _("a candidate for the address")
    top = [(u.code, f"★ {u.name} ({u.code}) · {why}") for u in units]
    return [tree[0], *top, *tree[1:]]


@login_required
def work_order_board(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not can_read_board(user):
        raise NotFound()
    now = timezone.now()
    board = selectors.work_orders_board(user=user, now=now)
    tree = unit_choices()
    return render(
        request,
        "workorders/board.html",
        {
            "overdue": [_row(o, now) for o in board.overdue],
            "due_soon": [_row(o, now) for o in board.due_soon],
            "escalated": [_row(o, now) for o in board.escalated],
            "by_unit": board.by_unit,
            "to_route": [
                {"row": r, "choices": _candidate_choices(r.candidates, tree)}
                for r in work_orders_to_route(user=user)
            ],
        },
    )


@login_required
def work_order_panel(request: HttpRequest) -> HttpResponse:
    """Home-page panel: my open orders (centre) or my unit's inbox (handlers)."""
    user = staff_user(request)
    now = timezone.now()
    if user.role == Role.HANDLER:
        orders = selectors.work_orders_inbox(user=user, limit=8)
        title = _("Unit inbox")
    else:
        orders = selectors.work_orders_list(
            user=user, filters=selectors.ListFilters(status="open", mine=True), page_size=8
        ).results
        title = _("My open work orders")
    return render(
        request, "workorders/_panel.html", {"rows": [_row(o, now) for o in orders], "title": title}
    )
