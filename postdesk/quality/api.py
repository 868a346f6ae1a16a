"""REST API of quality inspection (/api/v1/quality/): thin — parse, one service or selector."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from postdesk.core.auth import STAFF_AUTH
from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.core.periods import parse_month
from postdesk.org.request import staff_user
from postdesk.quality import selectors, services
from postdesk.quality.models import Evaluation, Form
from postdesk.quality.rules import can_inspect, can_manage_forms

router = Router(auth=STAFF_AUTH, tags=["quality"])


class QuestionIn(Schema):
    key: str = Field(max_length=50)
    text: str = Field(max_length=500)
    kind: Literal["yes_no", "scale"] = "yes_no"
    max: int = Field(1, ge=1, le=100)
    weight: int = Field(1, ge=0, le=1000)
    fatal: bool = False
    critical: bool = False
    allow_na: bool = False
    comment_required: bool = False


class SectionIn(Schema):
    title: str = Field(max_length=100)
    questions: list[QuestionIn]


class FormIn(Schema):
    name: str = Field(max_length=100)
    target: Literal["call", "work_order"]
    branch_reply: bool = False
    sections: list[SectionIn]


class FormOut(Schema):
    id: int
    version: int


class FormDetailOut(Schema):
    id: int
    name: str
    target: str
    branch_reply: bool
    version: int
    published: bool
    sections: list[dict[str, Any]]


class EvaluationIn(Schema):
    form: int
    call: int | None = None
    work_order: str | None = Field(None, max_length=20)
    answers: dict[str, bool | int | Literal["na"]]
    comments: dict[str, str] = {}


class SectionScoreOut(Schema):
    title: str
    score: Decimal | None


class EvaluationOut(Schema):
    id: int
    score: Decimal
    original_score: Decimal
    sections: list[SectionScoreOut]
    fatal_failed: bool
    critical_failed: list[str]
    status: str
    agent: str | None
    unit: str | None
    call: int | None
    work_order: str | None
    month: str


class AppealIn(Schema):
    reason: str = Field(max_length=2000)


class DecideIn(Schema):
    upheld: bool
    score: Decimal | None = None
    reason: str = Field(max_length=2000)


class AppealOut(Schema):
    evaluation: int
    status: str
    reason: str
    upheld: bool | None
    decision_reason: str
    score: Decimal


class SectionAverageOut(Schema):
    title: str
    average: Decimal | None


class ScorecardOut(Schema):
    agent: str | None = None
    unit: str | None = None
    team: str | None = None
    name: str
    evaluated: int
    evaluated_calls: int
    evaluated_work_orders: int
    quota: int
    average: Decimal | None
    previous_average: Decimal | None
    trend: Decimal | None
    fatal_failed: int
    sections: list[SectionAverageOut]


class ScorecardsOut(Schema):
    month: str
    results: list[ScorecardOut]


class PerQuestionOut(Schema):
    key: str
    text: str
    spread: float | None
    kappa: float | None


class CalibrationOut(Schema):
    id: int
    items: int
    complete_items: int
    raters: int
    kappa: float | None
    per_question: list[PerQuestionOut]


def _evaluation_out(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.pk,
        "score": e.score,
        "original_score": e.original_score,
        "sections": e.section_scores,
        "fatal_failed": e.fatal_failed,
        "critical_failed": e.critical_failed,
        "status": e.status,
        "agent": e.agent.username if e.agent else None,
        "unit": e.unit.code if e.unit else None,
        "call": e.call_id,
        "work_order": e.work_order.number if e.work_order else None,
        "month": e.month.strftime("%Y-%m"),
    }


def _form(user: Any, pk: int, *, check: bool = True) -> Form:
    """The form; a role that neither inspects nor manages forms is refused (403), unless
    the service that takes it answers for the permission (`check=False`)."""
    if check and not (can_inspect(user) or can_manage_forms(user)):
        raise PermissionDenied()
    form = Form.objects.filter(pk=pk).first()
    if form is None:
        raise NotFound()
    return form


@router.post("/forms/", response={201: FormOut})
def create_form(request: HttpRequest, payload: FormIn) -> Status[dict[str, int]]:
    form = services.form_create(
        actor=staff_user(request),
        name=payload.name,
        target=payload.target,
        branch_reply=payload.branch_reply,
        sections=[s.dict() for s in payload.sections],
    )
    return Status(201, {"id": form.pk, "version": form.version})


@router.get("/forms/{pk}", response=FormDetailOut)
def get_form(request: HttpRequest, pk: int) -> dict[str, Any]:
    f = _form(staff_user(request), pk)
    return {
        "id": f.pk,
        "name": f.name,
        "target": f.target,
        "branch_reply": f.branch_reply,
        "version": f.version,
        "published": f.published_at is not None,
        "sections": f.sections,
    }


@router.put("/forms/{pk}", response={200: FormOut})
def edit_form(request: HttpRequest, pk: int, payload: FormIn) -> dict[str, int]:
    user = staff_user(request)
    form = services.form_edit(
        actor=user,
        form=_form(user, pk),
        name=payload.name,
        sections=[s.dict() for s in payload.sections],
    )
    return {"id": form.pk, "version": form.version}


@router.post("/forms/{pk}/publish/", response=FormOut)
def publish_form(request: HttpRequest, pk: int) -> dict[str, int]:
    user = staff_user(request)
    form = services.form_publish(actor=user, form=_form(user, pk))
    return {"id": form.pk, "version": form.version}


@router.post("/evaluations/", response={201: EvaluationOut})
def create_evaluation(request: HttpRequest, payload: EvaluationIn) -> Status[dict[str, Any]]:
    user = staff_user(request)
    e = services.evaluation_create(
        actor=user,
        form=_form(user, payload.form, check=False),
        call_pk=payload.call,
        work_order=payload.work_order,
        answers=payload.answers,
        comments=payload.comments,
    )
    return Status(201, _evaluation_out(e))


@router.get("/evaluations/{pk}", response=EvaluationOut)
def get_evaluation(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _evaluation_out(selectors.evaluation_get(user=staff_user(request), pk=pk))


@router.get("/evaluations/", response=list[EvaluationOut])
def list_evaluations(request: HttpRequest, month: str = "") -> list[dict[str, Any]]:
    rows = selectors.evaluations_visible(user=staff_user(request)).select_related(
        "agent", "unit", "work_order"
    )
    if month:
        rows = rows.filter(month=parse_month(month).first_day)
    return [_evaluation_out(e) for e in rows.order_by("-id")[:500]]


@router.post("/evaluations/{pk}/acknowledge/", response=EvaluationOut)
def acknowledge(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = staff_user(request)
    e = services.evaluation_acknowledge(
        actor=user, evaluation=selectors.evaluation_get(user=user, pk=pk)
    )
    return _evaluation_out(e)


def _appeal_out(e: Evaluation) -> dict[str, Any]:
    a = e.appeal
    return {
        "evaluation": e.pk,
        "status": e.status,
        "reason": a.reason,
        "upheld": a.upheld,
        "decision_reason": a.decision_reason,
        "score": e.score,
    }


@router.post("/evaluations/{pk}/appeal/", response={201: AppealOut})
def appeal(request: HttpRequest, pk: int, payload: AppealIn) -> Status[dict[str, Any]]:
    user = staff_user(request)
    e = selectors.evaluation_get(user=user, pk=pk)
    services.evaluation_appeal(actor=user, evaluation=e, reason=payload.reason)
    return Status(201, _appeal_out(selectors.evaluation_get(user=user, pk=pk)))


@router.post("/evaluations/{pk}/decide/", response=AppealOut)
def decide(request: HttpRequest, pk: int, payload: DecideIn) -> dict[str, Any]:
    user = staff_user(request)
    e = selectors.evaluation_get(user=user, pk=pk)
    services.evaluation_decide(
        actor=user, evaluation=e, upheld=payload.upheld, reason=payload.reason, score=payload.score
    )
    return _appeal_out(selectors.evaluation_get(user=user, pk=pk))


@router.get("/scorecards", response=ScorecardsOut)
def scorecards(
    request: HttpRequest,
    month: str = "",
    agent: str = "",
    unit: str = "",
    team: str = "",
    by: str = "",
) -> dict[str, Any]:
    """Per agent (default), per unit (`unit=` or `by=unit`) or per team (`team=` or
    `by=team`: the agents' evaluations summed up by their team)."""
    m = parse_month(month)
    if by not in ("", "agent", "unit", "team"):
        raise ValidationFailed(fields={"by": _("Choose agent, unit or team.")})
    rows = selectors.scorecards(
        user=staff_user(request),
        month=m,
        agent=agent,
        unit=unit,
        team=team,
        by_unit=by == "unit",
        by_team=by == "team",
    )
    return {"month": str(m), "results": rows}


@router.get("/calibration/{pk}", response=CalibrationOut)
def calibration(request: HttpRequest, pk: int) -> dict[str, Any]:
    c = selectors.calibration_get(user=staff_user(request), pk=pk)
    return {"id": c.pk, **services.calibration_result(c)}


class QuotaIn(Schema):
    month: str = Field(max_length=7)
    agent: str | None = Field(None, max_length=150)
    unit: str | None = Field(None, max_length=20)
    calls: int = Field(0, ge=0, le=1000)
    work_orders: int = Field(0, ge=0, le=1000)


class SampleIn(Schema):
    month: str = Field(max_length=7)
    inspector: str | None = Field(None, max_length=150)
    queue: str = Field("", max_length=50)
    min_talk_seconds: float | None = Field(None, ge=0)
    max_talk_seconds: float | None = Field(None, ge=0)
    type: str = Field("", max_length=20)
    channel: Literal["", "phone", "web", "sms", "walk_in", "regulator", "other"] = ""
    seed: str = Field("", max_length=50)


class SampleOut(Schema):
    call: int | None
    work_order: str | None
    agent: str | None
    unit: str | None
    inspector: str | None
    reason: str


class CalibrationIn(Schema):
    name: str = Field(max_length=100)
    form: int
    raters: list[str]
    calls: list[int] = []
    work_orders: list[str] = []


class CalibrationEvaluationIn(Schema):
    call: int | None = None
    work_order: str | None = Field(None, max_length=20)
    answers: dict[str, bool | int | Literal["na"]]
    comments: dict[str, str] = {}


def _user_named(field: str, username: str | None) -> Any:
    from postdesk.core.errors import ValidationFailed
    from postdesk.org.models import User

    if not username:
        return None
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ValidationFailed(fields={field: _("No such staff user.")})
    return found


class QuotaOut(Schema):
    id: int
    calls: int
    work_orders: int


class CreatedOut(Schema):
    id: int


@router.post("/quotas/", response={200: QuotaOut})
def set_quota(request: HttpRequest, payload: QuotaIn) -> dict[str, int]:
    from postdesk.core.errors import ValidationFailed
    from postdesk.org.selectors import unit_by_code

    unit = unit_by_code(code=payload.unit) if payload.unit else None
    if payload.unit and unit is None:
        raise ValidationFailed(fields={"unit": _("No such unit.")})
    agent = _user_named("agent", payload.agent)
    if (agent is None) == (unit is None):
        raise ValidationFailed(fields={"agent": _("Give an agent or a unit.")})
    q = services.quota_set(
        actor=staff_user(request),
        month=parse_month(payload.month, default_current=False),
        agent=agent,
        unit=unit,
        calls=payload.calls,
        work_orders=payload.work_orders,
    )
    return {"id": q.pk, "calls": q.calls, "work_orders": q.work_orders}


@router.post("/samples/", response={201: list[SampleOut]})
def draw_samples(request: HttpRequest, payload: SampleIn) -> Status[list[dict[str, Any]]]:
    drawn = services.samples_draw(
        actor=staff_user(request),
        month=parse_month(payload.month, default_current=False),
        inspector=_user_named("inspector", payload.inspector),
        queue=payload.queue,
        min_talk_seconds=payload.min_talk_seconds,
        max_talk_seconds=payload.max_talk_seconds,
        order_type=payload.type,
        channel=payload.channel,
        seed=payload.seed,
    )
    return Status(201, [_sample_out(s) for s in drawn])


def _sample_out(s: Any) -> dict[str, Any]:
    return {
        "call": s.call_id,
        "work_order": s.work_order.number if s.work_order_id else None,
        "agent": s.agent.username if s.agent_id else None,
        "unit": s.unit.code if s.unit_id else None,
        "inspector": s.inspector.username if s.inspector_id else None,
        "reason": s.reason,
    }


@router.get("/samples/", response=list[SampleOut])
def my_samples(request: HttpRequest, month: str = "") -> list[dict[str, Any]]:
    rows = selectors.samples_for(user=staff_user(request), month=parse_month(month))
    return [_sample_out(s) for s in rows]


@router.post("/calibration/", response={201: CalibrationOut})
def create_calibration(request: HttpRequest, payload: CalibrationIn) -> Status[dict[str, Any]]:
    user = staff_user(request)
    raters = [_user_named("raters", name) for name in payload.raters]
    c = services.calibration_create(
        actor=user,
        name=payload.name,
        form=_form(user, payload.form),
        raters=raters,
        call_pks=payload.calls,
        work_orders=payload.work_orders,
    )
    return Status(201, {"id": c.pk, **services.calibration_result(c)})


@router.post("/calibration/{pk}/evaluations/", response={201: CreatedOut})
def calibration_score(
    request: HttpRequest, pk: int, payload: CalibrationEvaluationIn
) -> Status[dict[str, int]]:
    """A rater's blind score of one item (the answer does not show the others')."""
    user = staff_user(request)
    c = selectors.calibration_get(user=user, pk=pk)
    e = services.calibration_evaluate(
        actor=user,
        calibration=c,
        call_pk=payload.call,
        work_order=payload.work_order,
        answers=payload.answers,
        comments=payload.comments,
    )
    return Status(201, {"id": e.pk})
