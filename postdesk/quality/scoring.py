"""The scoring rule of quality inspection (质检), pure: no database, no clock.

Each answered question scores its fraction (yes = 1, no = 0, a scale value v of max -> v / max);
a score is 100 x sum(weight x fraction) / sum(weight) over the questions not answered N/A,
rounded to 2 decimals (half up); any fatal question failed (no, or 0) -> the whole evaluation
scores 0. A section's score is the same rule over its own questions (its own fatal questions
zero it; a fatal fail elsewhere zeroes only the evaluation's score).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

NA = "na"
YES_NO = "yes_no"
SCALE = "scale"
KINDS = (YES_NO, SCALE)

Answer = bool | int | str


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    kind: str = YES_NO
    max: int = 1
    weight: int = 1
    fatal: bool = False
    critical: bool = False
    allow_na: bool = False
    comment_required: bool = False  # a comment is required when marked down

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Question:
        kind = str(raw.get("kind") or YES_NO)
        return cls(
            key=str(raw["key"]),
            text=str(raw.get("text", "")),
            kind=kind,
            max=int(raw.get("max") or 1) if kind == SCALE else 1,
            weight=int(raw.get("weight", 1)),
            fatal=bool(raw.get("fatal", False)),
            critical=bool(raw.get("critical", False)),
            allow_na=bool(raw.get("allow_na", False)),
            comment_required=bool(raw.get("comment_required", False)),
        )


@dataclass(frozen=True)
class Section:
    title: str
    questions: tuple[Question, ...]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Section:
        return cls(
            title=str(raw.get("title", "")),
            questions=tuple(Question.from_dict(q) for q in raw.get("questions", [])),
        )


def sections_of(definition: Sequence[Mapping[str, Any]]) -> tuple[Section, ...]:
    return tuple(Section.from_dict(s) for s in definition)


def definition_errors(definition: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """What is wrong with a form's sections (field path -> problem code), empty when sound."""
    errors: dict[str, str] = {}
    seen: set[str] = set()
    if not definition:
        errors["sections"] = "empty"
    for i, section in enumerate(definition):
        questions = section.get("questions") or []
        if not str(section.get("title", "")).strip():
            errors[f"sections.{i}.title"] = "required"
        if not questions:
            errors[f"sections.{i}.questions"] = "empty"
        for j, q in enumerate(questions):
            where = f"sections.{i}.questions.{j}"
            key = str(q.get("key", "")).strip()
            if not key:
                errors[f"{where}.key"] = "required"
            elif key in seen:
                errors[f"{where}.key"] = "duplicate"
            seen.add(key)
            if q.get("kind", YES_NO) not in KINDS:
                errors[f"{where}.kind"] = "choice"
            elif q.get("kind") == SCALE and int(q.get("max") or 0) < 1:
                errors[f"{where}.max"] = "min"
            if int(q.get("weight", 1)) < 0:
                errors[f"{where}.weight"] = "min"
    return errors


def fraction(question: Question, answer: Answer) -> Fraction | None:
    """The answer's fraction of full marks; None for N/A."""
    if answer == NA:
        return None
    if question.kind == YES_NO:
        return Fraction(1 if answer is True else 0)
    return Fraction(int(answer), question.max)


def failed(question: Question, answer: Answer) -> bool:
    """Answered "no" or 0 (what makes a fatal question zero the evaluation)."""
    return answer is False or (question.kind == SCALE and answer is not True and answer == 0)


def answer_errors(
    sections: Sequence[Section], answers: Mapping[str, Any], comments: Mapping[str, str]
) -> dict[str, str]:
    """Problem codes per answers.<key> / comments.<key>; empty when the answers are complete
    and valid: unknown, missing, type, above_max, below_min, na_not_allowed, comment_required."""
    errors: dict[str, str] = {}
    questions = {q.key: q for s in sections for q in s.questions}
    for key in answers:
        if key not in questions:
            errors[f"answers.{key}"] = "unknown"
    for key in comments:
        if key not in questions:
            errors[f"comments.{key}"] = "unknown"
    for key, q in questions.items():
        if key not in answers:
            errors[f"answers.{key}"] = "missing"
            continue
        a = answers[key]
        if a == NA:
            if not q.allow_na:
                errors[f"answers.{key}"] = "na_not_allowed"
            continue
        if q.kind == YES_NO:
            if not isinstance(a, bool):
                errors[f"answers.{key}"] = "type"
                continue
        else:
            if isinstance(a, bool) or not isinstance(a, int):
                errors[f"answers.{key}"] = "type"
                continue
            if a > q.max:
                errors[f"answers.{key}"] = "above_max"
                continue
            if a < 0:
                errors[f"answers.{key}"] = "below_min"
                continue
        marked_down = fraction(q, a) != 1
        if marked_down and q.comment_required and not str(comments.get(key, "")).strip():
            errors[f"comments.{key}"] = "comment_required"
    return errors


def _round(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _score(pairs: Sequence[tuple[Question, Answer]]) -> Decimal | None:
    total = Fraction(0)
    weights = 0
    for q, a in pairs:
        f = fraction(q, a)
        if f is None:
            continue
        total += q.weight * f
        weights += q.weight
    if weights == 0:
        return None
    if any(q.fatal and a != NA and failed(q, a) for q, a in pairs):
        return Decimal("0.00")
    return _round(100 * total / weights)


@dataclass(frozen=True)
class Result:
    score: Decimal
    sections: tuple[tuple[str, Decimal | None], ...]
    fatal_failed: bool
    critical_failed: tuple[str, ...]


def evaluate(sections: Sequence[Section], answers: Mapping[str, Answer]) -> Result:
    """Score valid answers (see `answer_errors`). A form of only N/A answers scores 100."""
    every = [(q, answers[q.key]) for s in sections for q in s.questions]
    fatal = any(q.fatal and a != NA and failed(q, a) for q, a in every)
    critical = tuple(q.key for q, a in every if q.critical and a != NA and fraction(q, a) != 1)
    score = _score(every)
    per_section = tuple(
        (s.title, _score([(q, answers[q.key]) for q in s.questions])) for s in sections
    )
    overall = Decimal("0.00") if fatal else (score if score is not None else Decimal("100.00"))
    return Result(score=overall, sections=per_section, fatal_failed=fatal, critical_failed=critical)
