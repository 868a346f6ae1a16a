"""Writes of quality inspection (质检): forms, evaluations, appeals, samples, calibration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postdesk.calls.models import Call
from postdesk.calls.selectors import calls_visible
from postdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from postdesk.core.periods import Month
from postdesk.org.models import User
from postdesk.quality import kappa, rules, sampling, scoring
from postdesk.quality.models import Appeal, Calibration, Evaluation, Form, Quota, Sample, Target
from postdesk.workorders.channels import channel_of
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.selectors import work_orders_visible

MESSAGES = {
    "required": _("This field is required."),
    "empty": _("Add at least one."),
    "duplicate": _("This key is used twice."),
    "choice": _("This value is not one of the allowed choices."),
    "min": _("This value is too small."),
    "unknown": _("This question is not on the form."),
    "missing": _("Answer this question."),
    "type": _("This answer does not fit the question."),
    "above_max": _("This value is above the question's maximum."),
    "below_min": _("This value is below zero."),
    "na_not_allowed": _("N/A is not allowed for this question."),
    "comment_required": _("Say why this question is marked down."),
}


def _fail(errors: Mapping[str, str]) -> ValidationFailed:
    return ValidationFailed(fields={k: MESSAGES.get(v, v) for k, v in errors.items()})


def form_create(
    *,
    actor: User,
    name: str,
    target: str,
    sections: Sequence[Mapping[str, Any]],
    branch_reply: bool = False,
    family: Form | None = None,
) -> Form:
    """A new draft form; with `family`, the next version of that form."""
    if not rules.can_manage_forms(actor):
        raise PermissionDenied()
    errors = scoring.definition_errors(sections)
    if not name.strip():
        errors["name"] = "required"
    if target not in Target.values:
        errors["target"] = "choice"
    if errors:
        raise _fail(errors)
    clean = [
        {
            "title": s["title"],
            "questions": [scoring.Question.from_dict(q).__dict__ for q in s["questions"]],
        }
        for s in sections
    ]
    with transaction.atomic():
        version = 1
        if family is not None:
            last = Form.objects.filter(family=family.family).order_by("-version").first()
            version = (last.version if last else 0) + 1
        form = Form.objects.create(
            name=name.strip(),
            target=target,
            branch_reply=branch_reply and target == Target.WORK_ORDER,
            sections=clean,
            version=version,
            family=family.family if family is not None else None,
            created_by=actor,
        )
        if form.family is None:
            form.family = form.pk
            form.save(update_fields=["family"])
    return form


def form_publish(*, actor: User, form: Form) -> Form:
    if not rules.can_manage_forms(actor):
        raise PermissionDenied()
    if form.published_at is None:
        form.published_at = timezone.now()
        form.save(update_fields=["published_at"])
    return form


def form_edit(*, actor: User, form: Form, name: str, sections: Sequence[Mapping[str, Any]]) -> Form:
    """A draft is changed in place; a published version stays frozen and editing it makes
    the next version (evaluations keep the version they used)."""
    if form.published_at is None:
        if not rules.can_manage_forms(actor):
            raise PermissionDenied()
        errors = scoring.definition_errors(sections)
        if errors:
            raise _fail(errors)
        form.name, form.sections = name or form.name, [dict(s) for s in sections]
        form.save(update_fields=["name", "sections"])
        return form
    return form_create(
        actor=actor,
        name=name or form.name,
        target=form.target,
        sections=sections,
        branch_reply=form.branch_reply,
        family=form,
    )


def _subject(form: Form, call: Call | None, order: WorkOrder | None) -> tuple[Any, Any, Month]:
    if call is not None:
        return call.agent, None, Month.of(call.started_at)
    assert order is not None
    unit = order.handling_unit if form.branch_reply else None
    return order.owner, unit, Month.of(order.created_at)


def evaluation_create(
    *,
    actor: User,
    form: Form,
    call_pk: int | None = None,
    work_order: str | None = None,
    answers: Mapping[str, Any],
    comments: Mapping[str, str] | None = None,
    calibration: Calibration | None = None,
) -> Evaluation:
    """Score one call or work order on a published form; every check before any write."""
    if not rules.can_inspect(actor):
        raise PermissionDenied(_("Only team leads and directors inspect."))
    if form.published_at is None:
        raise ValidationFailed(fields={"form": _("This form is not published yet.")})
    comments = dict(comments or {})
    call = order = None
    if form.target == Target.CALL:
        if call_pk is None or work_order:
            raise ValidationFailed(fields={"call": _("This form scores calls: give a call.")})
        call = calls_visible(user=actor).select_related("agent").filter(pk=call_pk).first()
        if call is None:
            raise NotFound(_("No such call in your scope."))
    else:
        if not work_order or call_pk is not None:
            raise ValidationFailed(
                fields={"work_order": _("This form scores work orders: give a work order.")}
            )
        order = (
            work_orders_visible(user=actor)
            .select_related("owner", "handling_unit")
            .filter(number=work_order)
            .first()
        )
        if order is None:
            raise NotFound(_("No such work order in your scope."))
    sections = scoring.sections_of(form.sections)
    errors = scoring.answer_errors(sections, answers, comments)
    if errors:
        raise _fail(errors)
    result = scoring.evaluate(sections, answers)
    agent, unit, month = _subject(form, call, order)
    if (
        calibration is not None
        and Evaluation.objects.filter(
            calibration=calibration, inspector=actor, call=call, work_order=order
        ).exists()
    ):
        raise Conflict(_("You have already scored this item in this calibration."))
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            form=form,
            call=call,
            work_order=order,
            inspector=actor,
            agent=agent,
            unit=unit,
            calibration=calibration,
            month=month.first_day,
            answers=dict(answers),
            comments=comments,
            score=result.score,
            original_score=result.score,
            section_scores=[
                {"title": t, "score": None if s is None else str(s)} for t, s in result.sections
            ],
            fatal_failed=result.fatal_failed,
            critical_failed=list(result.critical_failed),
        )
        if calibration is None:
            Sample.objects.filter(
                month=month.first_day, call=call, work_order=order, evaluation__isnull=True
            ).update(evaluation=evaluation)
    return evaluation


def evaluation_acknowledge(*, actor: User, evaluation: Evaluation) -> Evaluation:
    if not rules.can_acknowledge(actor, evaluation):
        raise PermissionDenied(_("Only the one evaluated acknowledges, once."))
    evaluation.status = Evaluation.Status.ACKNOWLEDGED
    evaluation.acknowledged_at = timezone.now()
    evaluation.save(update_fields=["status", "acknowledged_at"])
    return evaluation


def evaluation_appeal(*, actor: User, evaluation: Evaluation, reason: str) -> Appeal:
    """Appeal once, with a reason. Only the one evaluated learns whether it was appealed
    already (409): anyone else is refused first (403)."""
    if not rules.is_subject(actor, evaluation):
        raise PermissionDenied(_("Only the one evaluated may appeal."))
    appealed = Appeal.objects.filter(evaluation=evaluation).exists()
    if appealed:
        raise Conflict(_("This evaluation has already been appealed."), code="already_appealed")
    if not rules.can_appeal(actor, evaluation, appealed=appealed):
        raise PermissionDenied(_("Only the one evaluated may appeal."))
    if not reason.strip():
        raise ValidationFailed(fields={"reason": _("Give the reason of the appeal.")})
    with transaction.atomic():
        locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if Appeal.objects.filter(evaluation=locked).exists():
            raise Conflict(_("This evaluation has already been appealed."), code="already_appealed")
        appeal = Appeal.objects.create(evaluation=locked, reason=reason.strip(), by=actor)
        locked.status = Evaluation.Status.APPEALED
        locked.save(update_fields=["status"])
    evaluation.status = locked.status
    return appeal


def evaluation_decide(
    *, actor: User, evaluation: Evaluation, upheld: bool, reason: str, score: Any = None
) -> Appeal:
    """A director, or a lead other than the inspector, decides; the reason stays."""
    if not rules.can_decide(actor, evaluation):
        raise PermissionDenied(_("A director or another team lead decides the appeal."))
    errors: dict[str, Any] = {}
    if not reason.strip():
        errors["reason"] = _("Give the reason of the decision.")
    new_score: Decimal | None = None
    if not upheld:
        try:
            new_score = Decimal(str(score)).quantize(Decimal("0.01"))
            if not Decimal(0) <= new_score <= Decimal(100):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["score"] = _("Give the new score, 0 to 100.")
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(evaluation=evaluation)
        appeal.decided_by, appeal.decided_at = actor, timezone.now()
        appeal.upheld, appeal.decision_reason, appeal.new_score = upheld, reason.strip(), new_score
        appeal.save()
        evaluation.status = Evaluation.Status.UPHELD if upheld else Evaluation.Status.OVERTURNED
        if new_score is not None:
            evaluation.score = new_score
        evaluation.save(update_fields=["status", "score"])
    return appeal


def quota_set(
    *,
    actor: User,
    month: Month,
    agent: User | None = None,
    unit: Any = None,
    calls: int = 0,
    work_orders: int = 0,
) -> Quota:
    if not rules.can_inspect(actor):
        raise PermissionDenied()
    quota, _created = Quota.objects.update_or_create(
        month=month.first_day,
        agent=agent,
        unit=unit,
        defaults={"calls": calls, "work_orders": work_orders},
    )
    return quota


def _must_orders(orders: Any) -> tuple[set[int], set[int]]:
    """(dissatisfied follow-ups, reopened complaints) among the orders."""
    dissatisfied = set(
        orders.filter(
            Q(satisfaction="dissatisfied")
            | Exists(
                WorkOrderEvent.objects.filter(
                    order=OuterRef("pk"), action="follow_up", data__satisfaction="dissatisfied"
                )
            )
        ).values_list("pk", flat=True)
    )
    reopened = set(
        orders.filter(
            type="complaint",
        )
        .filter(Exists(WorkOrderEvent.objects.filter(order=OuterRef("pk"), action="reopen")))
        .values_list("pk", flat=True)
    )
    return dissatisfied, reopened


def samples_draw(
    *,
    actor: User,
    month: Month,
    inspector: User | None = None,
    queue: str = "",
    min_talk_seconds: float | None = None,
    max_talk_seconds: float | None = None,
    order_type: str = "",
    channel: str = "",
    seed: str = "",
) -> list[Sample]:
    """Draw this month's samples for every quota in the actor's scope: per agent N calls and
    M work orders, per branch M work-order replies, filtered, at random (reproducibly from
    `seed`), always with the calls of dissatisfied follow-ups and the reopened complaints."""
    if not rules.can_inspect(actor):
        raise PermissionDenied()
    inspector = inspector or actor
    seed = seed or str(month)
    calls = calls_visible(user=actor).filter(
        started_at__gte=month.start, started_at__lt=month.end, answered_at__isnull=False
    )
    if queue:
        calls = calls.filter(queue=queue)
    if min_talk_seconds is not None:
        calls = calls.filter(talk_seconds__gte=min_talk_seconds)
    if max_talk_seconds is not None:
        calls = calls.filter(talk_seconds__lte=max_talk_seconds)
    orders = work_orders_visible(user=actor).filter(
        created_at__gte=month.start, created_at__lt=month.end
    )
    if order_type:
        orders = orders.filter(type=order_type)
    if channel:  # derived, not stored: the one rule, applied to the month's candidates
        rows = orders.values_list("pk", "details__channel", "regulator_ref", "call_id")
        orders = orders.filter(
            pk__in=[
                pk
                for pk, details_channel, regulator_ref, call_id in rows
                if channel_of(
                    details_channel=details_channel, regulator_ref=regulator_ref, call_id=call_id
                )
                == channel
            ]
        )
    dissatisfied, reopened = _must_orders(orders)
    must_call_ids = set(
        orders.filter(pk__in=dissatisfied).exclude(call_id="").values_list("call_id", flat=True)
    )
    drawn: list[Sample] = []
    with transaction.atomic():
        Sample.objects.filter(month=month.first_day, evaluation__isnull=True).filter(
            Q(call__in=calls) | Q(work_order__in=orders)
        ).delete()
        for quota in Quota.objects.filter(month=month.first_day).select_related("agent", "unit"):
            if quota.agent is not None:
                mine = list(calls.filter(agent=quota.agent).values_list("pk", "call_id"))
                always = [pk for pk, cid in mine if cid in must_call_ids]
                for pk in sampling.choose(
                    [pk for pk, _c in mine],
                    quota=quota.calls,
                    always=always,
                    seed=f"{seed}:c:{quota.agent_id}",
                ):
                    reason = Sample.Reason.DISSATISFIED if pk in always else Sample.Reason.RANDOM
                    drawn.append(
                        Sample(
                            month=month.first_day,
                            call_id=pk,
                            agent=quota.agent,
                            inspector=inspector,
                            reason=reason,
                        )
                    )
                owned = list(orders.filter(owner=quota.agent).values_list("pk", flat=True))
                drawn += _order_samples(
                    month,
                    owned,
                    quota.work_orders,
                    dissatisfied,
                    reopened,
                    f"{seed}:o:{quota.agent_id}",
                    inspector,
                    agent=quota.agent,
                )
            elif quota.unit is not None:
                handled = list(orders.filter(handling_unit=quota.unit).values_list("pk", flat=True))
                drawn += _order_samples(
                    month,
                    handled,
                    quota.work_orders,
                    dissatisfied,
                    reopened,
                    f"{seed}:u:{quota.unit_id}",
                    inspector,
                    unit=quota.unit,
                )
        Sample.objects.bulk_create(drawn)
    return drawn


def _order_samples(
    month: Month,
    pks: list[int],
    quota: int,
    dissatisfied: set[int],
    reopened: set[int],
    seed: str,
    inspector: User,
    agent: User | None = None,
    unit: Any = None,
) -> list[Sample]:
    always = [pk for pk in pks if pk in reopened or pk in dissatisfied]
    out = []
    for pk in sampling.choose(pks, quota=quota, always=always, seed=seed):
        reason = (
            Sample.Reason.REOPENED
            if pk in reopened
            else Sample.Reason.DISSATISFIED
            if pk in dissatisfied
            else Sample.Reason.RANDOM
        )
        out.append(
            Sample(
                month=month.first_day,
                work_order_id=pk,
                agent=agent,
                unit=unit,
                inspector=inspector,
                reason=reason,
            )
        )
    return out


def calibration_create(
    *,
    actor: User,
    name: str,
    form: Form,
    raters: Sequence[User],
    call_pks: Sequence[int] = (),
    work_orders: Sequence[str] = (),
) -> Calibration:
    if not rules.can_inspect(actor):
        raise PermissionDenied()
    errors: dict[str, Any] = {}
    if len(raters) < 2:
        errors["raters"] = _("A calibration needs at least two inspectors.")
    if any(not rules.can_inspect(r) for r in raters):
        errors["raters"] = _("Every rater must be an inspector.")
    calls = list(calls_visible(user=actor).filter(pk__in=call_pks))
    orders = list(work_orders_visible(user=actor).filter(number__in=work_orders))
    if len(calls) != len(set(call_pks)):
        errors["calls"] = _("A call is not in your scope.")
    if len(orders) != len(set(work_orders)):
        errors["work_orders"] = _("A work order is not in your scope.")
    if not calls and not orders:
        errors.setdefault("calls", _("Add at least one item."))
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        calibration = Calibration.objects.create(name=name, form=form, created_by=actor)
        calibration.calls.set(calls)
        calibration.work_orders.set(orders)
        calibration.raters.set(raters)
    return calibration


def calibration_result(calibration: Calibration) -> dict[str, Any]:
    """Per question: the answers' spread (max - min of the fractions) and Fleiss' kappa
    over the items every rater scored; overall kappa over every (item, question)."""
    sections = scoring.sections_of(calibration.form.sections)
    questions = [q for s in sections for q in s.questions]
    rater_ids = sorted(calibration.raters.values_list("pk", flat=True))
    evals = list(calibration.evaluations.all())
    by_item: dict[tuple[Any, Any], dict[int, Evaluation]] = {}
    for e in evals:
        by_item.setdefault((e.call_id, e.work_order_id), {})[e.inspector_id] = e
    complete = [v for v in by_item.values() if all(r in v for r in rater_ids)]
    per_question = []
    pooled: list[list[Any]] = []
    for q in questions:
        ratings = [[v[r].answers.get(q.key) for r in rater_ids] for v in complete]
        pooled.extend(ratings)
        fractions = [
            f
            for row in ratings
            for a in row
            if a is not None and (f := scoring.fraction(q, a)) is not None
        ]
        spread = float(max(fractions) - min(fractions)) if fractions else None
        k = kappa.fleiss_kappa(kappa.counts_from_ratings(ratings)) if ratings else None
        per_question.append({"key": q.key, "text": q.text, "spread": spread, "kappa": k})
    overall = kappa.fleiss_kappa(kappa.counts_from_ratings(pooled)) if pooled else None
    return {
        "items": len(by_item),
        "complete_items": len(complete),
        "raters": len(rater_ids),
        "kappa": overall,
        "per_question": per_question,
    }


def calibration_evaluate(
    *,
    actor: User,
    calibration: Calibration,
    call_pk: int | None = None,
    work_order: str | None = None,
    answers: Mapping[str, Any],
    comments: Mapping[str, str] | None = None,
) -> Evaluation:
    """One rater's blind score of one of the calibration's items."""
    if not calibration.raters.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("You are not a rater of this calibration."))
    in_items = (
        calibration.calls.filter(pk=call_pk).exists()
        if call_pk is not None
        else calibration.work_orders.filter(number=work_order or "").exists()
    )
    if not in_items:
        raise ValidationFailed(fields={"call": _("This item is not in the calibration.")})
    return evaluation_create(
        actor=actor,
        form=calibration.form,
        call_pk=call_pk,
        work_order=work_order,
        answers=answers,
        comments=comments,
        calibration=calibration,
    )
