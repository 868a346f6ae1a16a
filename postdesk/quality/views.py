"""Pages of quality inspection (质检): thin — parse, one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from postdesk.calls.selectors import calls_visible
from postdesk.core.errors import DomainError, NotFound, page_errors
from postdesk.core.masking import mask_phone
from postdesk.core.periods import Month, parse_month
from postdesk.org.request import staff_user
from postdesk.quality import rules, selectors, services, suggestions
from postdesk.quality.models import Appeal, Form, Target
from postdesk.workorders.models import WorkOrderEvent
from postdesk.workorders.selectors import work_orders_visible


def _month(request: HttpRequest) -> Month:
    try:
        return parse_month(request.GET.get("month", ""))
    except DomainError:
        return Month.current()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """My evaluations (the agent's, the unit's, the team's) and the samples assigned to me."""
    user = staff_user(request)
    month = _month(request)
    rows = (
        selectors.evaluations_visible(user=user)
        .filter(month=month.first_day)
        .select_related("agent", "unit", "work_order", "form", "inspector")
        .order_by("-id")[:300]
    )
    samples = selectors.samples_for(user=user, month=month) if rules.can_inspect(user) else []
    return render(
        request,
        "quality/index.html",
        {
            "rows": rows,
            "samples": samples,
            "month": str(month),
            "inspector": rules.can_inspect(user),
        },
    )


def _answers_from_post(request: HttpRequest, form: Form) -> tuple[dict[str, Any], dict[str, str]]:
    answers: dict[str, Any] = {}
    comments: dict[str, str] = {}
    for section in form.sections:
        for q in section["questions"]:
            raw = request.POST.get(f"a_{q['key']}", "")
            if raw == "yes":
                answers[q["key"]] = True
            elif raw == "no":
                answers[q["key"]] = False
            elif raw == "na":
                answers[q["key"]] = "na"
            elif raw.isdigit():
                answers[q["key"]] = int(raw)
            text = request.POST.get(f"c_{q['key']}", "").strip()
            if text:
                comments[q["key"]] = text
    return answers, comments


def _item_context(user: Any, call_pk: str, number: str) -> dict[str, Any]:
    """The call (events, wrap-up, linked orders, recording) or the order (texts, timeline),
    and the suggestions for the screen."""
    now = timezone.now()
    if call_pk:
        call = (
            calls_visible(user=user)
            .select_related("agent")
            .filter(pk=int(call_pk) if call_pk.isdigit() else 0)
            .first()
        )
        if call is None:
            raise NotFound()
        events = list(call.events.order_by("timestamp", "id"))
        linked = list(
            work_orders_visible(user=user).filter(call_id=call.call_id).order_by("id")
            if call.call_id
            else []
        )
        texts = [call.wrapup_note] + [
            str(e.data.get("note") or e.data.get("text") or "") for e in events
        ]
        texts += [o.description for o in linked]
        return {
            "target": Target.CALL,
            "call": call,
            "caller": mask_phone(call.caller_number or call.from_number),
            "events": events,
            "linked": linked,
            "hits": suggestions.forbidden_hits(texts),
            "kept": None,
        }
    order = (
        work_orders_visible(user=user)
        .select_related("owner", "handling_unit")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise NotFound()
    timeline = list(WorkOrderEvent.objects.filter(order=order).select_related("actor", "unit"))
    texts = [order.description] + [e.text for e in timeline]
    return {
        "target": Target.WORK_ORDER,
        "order": order,
        "caller": mask_phone(order.caller_phone),
        "timeline": timeline,
        "hits": suggestions.forbidden_hits(texts),
        "kept": suggestions.deadline_kept(
            due_at=order.due_at, done_at=order.replied_at or order.closed_at, now=now
        ),
    }


@login_required
def evaluate(request: HttpRequest) -> HttpResponse:
    """The evaluation screen: the item on one side, the form on the other."""
    user = staff_user(request)
    if not rules.can_inspect(user):
        raise NotFound()
    source = request.POST if request.method == "POST" else request.GET
    call_pk, number = source.get("call", ""), source.get("work_order", "").strip()
    context = _item_context(user, call_pk, number)
    forms = Form.objects.filter(target=context["target"], published_at__isnull=False).order_by(
        "family", "-version"
    )
    chosen = source.get("form", "")
    form = next((f for f in forms if str(f.pk) == chosen), None) or forms.first()
    keys = [q["key"] for s in (form.sections if form else []) for q in s["questions"]]
    suggested = suggestions.prefill(keys, hits=context["hits"], kept=context["kept"])
    context.update({"form": form, "forms": forms, "suggested": suggested, "posted": {}})
    if request.method == "POST" and form is not None:
        answers, comments = _answers_from_post(request, form)
        try:
            e = services.evaluation_create(
                actor=user,
                form=form,
                call_pk=context["call"].pk if call_pk else None,
                work_order=number or None,
                answers=answers,
                comments=comments,
            )
        except DomainError as exc:
            context.update(page_errors(exc))
            context["posted"] = request.POST
            return render(request, "quality/evaluate.html", context, status=400)
        return redirect("quality:evaluation", pk=e.pk)
    return render(request, "quality/evaluate.html", context)


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    e = selectors.evaluation_get(user=user, pk=pk)
    context: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "acknowledge":
                services.evaluation_acknowledge(actor=user, evaluation=e)
            elif action == "appeal":
                services.evaluation_appeal(
                    actor=user, evaluation=e, reason=request.POST.get("reason", "")
                )
            elif action == "decide":
                services.evaluation_decide(
                    actor=user,
                    evaluation=e,
                    upheld=request.POST.get("upheld") == "1",
                    reason=request.POST.get("reason", ""),
                    score=request.POST.get("score") or None,
                )
            return redirect("quality:evaluation", pk=e.pk)
        except DomainError as exc:
            context.update(page_errors(exc))
            e = selectors.evaluation_get(user=user, pk=pk)
    appeal = Appeal.objects.filter(evaluation=e).select_related("by", "decided_by").first()
    questions = []
    for section in e.form.sections:
        for q in section["questions"]:
            questions.append(
                {
                    "section": section["title"],
                    "text": q["text"],
                    "answer": e.answers.get(q["key"]),
                    "kind": q["kind"],
                    "max": q["max"],
                    "fatal": q["fatal"],
                    "critical": q["critical"],
                    "comment": e.comments.get(q["key"], ""),
                }
            )
    context.update(
        {
            "e": e,
            "appeal": appeal,
            "questions": questions,
            "can_ack": rules.can_acknowledge(user, e),
            "can_appeal": rules.can_appeal(user, e, appealed=appeal is not None),
            "can_decide": rules.can_decide(user, e),
        }
    )
    return render(
        request, "quality/evaluation.html", context, status=400 if "error" in context else 200
    )


@login_required
def scorecards(request: HttpRequest) -> HttpResponse:
    """The league table per agent, per team, and per branch."""
    user = staff_user(request)
    month = _month(request)
    agents = selectors.scorecards(user=user, month=month)
    units = selectors.unit_scorecards(user=user, month=month)
    teams = selectors.team_scorecards(user=user, month=month)
    context = {"agents": agents, "units": units, "teams": teams, "month": str(month)}
    return render(request, "quality/scorecards.html", context)
