"""The scoring rule on hand-worked forms, Fleiss' kappa on a published example, sampling."""

from __future__ import annotations

from decimal import Decimal

import pytest

from postdesk.quality import kappa, sampling, scoring

FORM = [
    {
        "title": "开场",
        "questions": [
            {"key": "greet", "text": "问候并报工号", "kind": "yes_no", "weight": 2},
            {"key": "verify", "text": "核实身份", "kind": "yes_no", "weight": 1, "allow_na": True},
        ],
    },
    {
        "title": "解答",
        "questions": [
            {"key": "answer", "text": "依知识库正确解答", "kind": "scale", "max": 4, "weight": 3},
            {
                "key": "secret",
                "text": "未泄露内部信息",
                "kind": "yes_no",
                "weight": 1,
                "fatal": True,
            },
            {
                "key": "phrases",
                "text": "使用服务用语",
                "kind": "scale",
                "max": 5,
                "weight": 2,
                "critical": True,
                "comment_required": True,
            },
        ],
    },
]
SECTIONS = scoring.sections_of(FORM)


def result(**answers):
    base = {"greet": True, "verify": True, "answer": 4, "secret": True, "phrases": 5}
    base.update(answers)
    return scoring.evaluate(SECTIONS, base)


def test_full_marks_score_100():
    r = result()
    assert r.score == Decimal("100.00") and not r.fatal_failed and r.critical_failed == ()
    assert r.sections == (("开场", Decimal("100.00")), ("解答", Decimal("100.00")))


def test_weights_and_scale_fractions_by_hand():
    # greet no (0 x 2), verify yes (1), answer 3/4 x 3 = 2.25, secret 1, phrases 4/5 x 2 = 1.6
    # total 5.85 of 9 -> 65.00
    r = result(greet=False, answer=3, phrases=4)
    assert r.score == Decimal("65.00")
    assert r.sections[0] == ("开场", Decimal("33.33"))  # 1 of 3
    assert r.sections[1] == ("解答", Decimal("80.83"))  # 4.85 of 6 = 80.8333
    assert r.critical_failed == ("phrases",) and not r.fatal_failed


def test_na_leaves_the_question_out_of_both_sums():
    # verify N/A, greet no: 开场 0 of 2; overall (0 + 3 + 1 + 2) of 8
    r = result(verify="na", greet=False)
    assert r.score == Decimal("75.00")
    assert r.sections[0] == ("开场", Decimal("0.00"))


def test_a_section_of_only_na_has_no_score():
    sections = scoring.sections_of(
        [
            {"title": "A", "questions": [{"key": "x", "text": "x", "allow_na": True}]},
            {"title": "B", "questions": [{"key": "y", "text": "y"}]},
        ]
    )
    r = scoring.evaluate(sections, {"x": "na", "y": False})
    assert r.sections == (("A", None), ("B", Decimal("0.00"))) and r.score == Decimal("0.00")


def test_a_fatal_question_failed_zeroes_the_evaluation_but_not_other_sections():
    r = result(secret=False)
    assert r.score == Decimal("0.00") and r.fatal_failed
    assert r.sections[0] == ("开场", Decimal("100.00"))
    assert r.sections[1] == ("解答", Decimal("0.00"))


def test_a_fatal_scale_question_at_zero_is_a_fail_and_above_zero_is_not():
    sections = scoring.sections_of(
        [
            {
                "title": "S",
                "questions": [
                    {"key": "f", "text": "f", "kind": "scale", "max": 3, "fatal": True},
                    {"key": "g", "text": "g"},
                ],
            }
        ]
    )
    assert scoring.evaluate(sections, {"f": 0, "g": True}).fatal_failed
    r = scoring.evaluate(sections, {"f": 1, "g": True})
    assert not r.fatal_failed and r.score == Decimal("66.67")  # (1/3 + 1) / 2


def test_rounding_is_half_up_to_two_decimals():
    sections = scoring.sections_of(
        [{"title": "S", "questions": [{"key": "a", "text": "a", "kind": "scale", "max": 8}]}]
    )
    assert scoring.evaluate(sections, {"a": 1}).score == Decimal("12.50")
    sections = scoring.sections_of(
        [
            {
                "title": "S",
                "questions": [
                    {"key": "a", "text": "a", "kind": "scale", "max": 3},
                    {"key": "b", "text": "b", "kind": "scale", "max": 3},
                ],
            }
        ]
    )
    assert scoring.evaluate(sections, {"a": 2, "b": 3}).score == Decimal("83.33")  # 83.333…


@pytest.mark.parametrize(
    ("answers", "comments", "errors"),
    [
        ({"other": True}, {}, {"answers.other": "unknown"}),
        ({"answer": 5}, {}, {"answers.answer": "above_max"}),
        ({"answer": -1}, {}, {"answers.answer": "below_min"}),
        ({"greet": "na"}, {}, {"answers.greet": "na_not_allowed"}),
        ({"greet": 1}, {}, {"answers.greet": "type"}),
        ({"answer": True}, {}, {"answers.answer": "type"}),
        ({"phrases": 4}, {}, {"comments.phrases": "comment_required"}),
        ({"phrases": 4}, {"phrases": "  "}, {"comments.phrases": "comment_required"}),
        ({}, {"nope": "x"}, {"comments.nope": "unknown"}),
    ],
)
def test_answer_errors(answers, comments, errors):
    base = {"greet": True, "verify": True, "answer": 4, "secret": True, "phrases": 5}
    base.update(answers)
    assert scoring.answer_errors(SECTIONS, base, comments) == errors


def test_missing_answers_and_a_comment_that_clears_the_requirement():
    assert scoring.answer_errors(SECTIONS, {}, {}) == {
        f"answers.{k}": "missing" for k in ("greet", "verify", "answer", "secret", "phrases")
    }
    base = {"greet": True, "verify": True, "answer": 4, "secret": True, "phrases": 3}
    assert scoring.answer_errors(SECTIONS, base, {"phrases": "语气生硬"}) == {}


def test_definition_errors():
    assert scoring.definition_errors(FORM) == {}
    assert scoring.definition_errors([]) == {"sections": "empty"}
    bad = [
        {
            "title": "",
            "questions": [
                {"key": "a", "text": "a"},
                {"key": "a", "text": "b", "kind": "scale", "max": 0},
                {"key": "", "text": "c", "kind": "stars"},
            ],
        },
        {"title": "B", "questions": []},
    ]
    assert scoring.definition_errors(bad) == {
        "sections.0.title": "required",
        "sections.0.questions.1.key": "duplicate",
        "sections.0.questions.1.max": "min",
        "sections.0.questions.2.key": "required",
        "sections.0.questions.2.kind": "choice",
        "sections.1.questions": "empty",
    }


# Fleiss (1971) as worked on Wikipedia ("Fleiss' kappa", worked example): 10 subjects,
# 14 raters, 5 categories; P = 0.378, Pe = 0.213, kappa = 0.210.
WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_kappa_matches_the_published_worked_example():
    assert kappa.fleiss_kappa(WIKIPEDIA) == pytest.approx(0.20993, abs=1e-4)


def test_fleiss_kappa_edges():
    assert kappa.fleiss_kappa([]) is None
    assert kappa.fleiss_kappa([[1, 0]]) is None  # one rater
    assert kappa.fleiss_kappa([[2, 0], [1, 2]]) is None  # uneven raters
    assert kappa.fleiss_kappa([[3, 0], [3, 0]]) == 1.0  # all one answer
    assert kappa.fleiss_kappa([[3, 0], [0, 3]]) == pytest.approx(1.0)
    # two raters always disagreeing on two categories, balanced: kappa = -1
    assert kappa.fleiss_kappa([[1, 1], [1, 1]]) == pytest.approx(-1.0)


def test_counts_from_ratings():
    assert kappa.counts_from_ratings([[True, True, False], [False, False, False]]) == [
        [1, 2],
        [3, 0],
    ]


def test_sampling_always_includes_then_fills_the_quota_at_random_reproducibly():
    pool = list(range(100))
    chosen = sampling.choose(pool, quota=10, always=[7, 3, 7], seed="2026-11")
    assert chosen[:2] == [7, 3] and len(chosen) == 10 and len(set(chosen)) == 10
    assert set(chosen) <= set(pool)
    assert chosen == sampling.choose(pool, quota=10, always=[7, 3], seed="2026-11")
    assert chosen != sampling.choose(pool, quota=10, always=[7, 3], seed="2026-12")


def test_sampling_keeps_every_must_item_beyond_the_quota_and_stops_at_the_pool():
    assert sampling.choose([1, 2, 3], quota=1, always=[1, 2, 3]) == [1, 2, 3]
    assert sorted(sampling.choose([1, 2, 3], quota=10)) == [1, 2, 3]
    assert sampling.choose([1, 2, 3], quota=0) == []
