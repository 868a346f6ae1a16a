"""The 公众查询码: eight characters without look-alikes, two groups of four; unique even when
a draw repeats; the orders from before migrated."""

from __future__ import annotations

import importlib

import pytest

from postdesk.workorders import public_ref
from postdesk.workorders.public_ref import (
    ALPHABET,
    format_public_ref,
    is_public_ref,
    new_public_ref,
    parse_public_ref,
)


def test_the_alphabet_has_no_look_alikes():
    assert not set("0O1IlLU") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 30


def test_new_codes_are_eight_characters_of_the_alphabet_and_differ():
    codes = {new_public_ref() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 8 and set(c) <= set(ALPHABET) for c in codes)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("K7QM3XPR", "K7QM3XPR"),
        ("K7QM-3XPR", "K7QM3XPR"),
        ("k7qm 3xpr", "K7QM3XPR"),
        (" K7QM—3XPR ", "K7QM3XPR"),
        ("K7QM3XP", None),  # too short
        ("K7QM3XPRS", None),  # too long
        ("K7QM3XP0", None),  # 0 is not in the alphabet
        ("K7QM3XPI", None),
        ("", None),
        ("abc_DEF-ghij", None),  # the old form
    ],
)
def test_parse(typed, stored):
    assert parse_public_ref(typed) == stored


def test_format_in_two_groups_and_old_codes_as_they_are():
    assert format_public_ref("K7QM3XPR") == "K7QM-3XPR"
    assert format_public_ref("aB_cD-eF") == "aB_cD-eF"
    assert is_public_ref(parse_public_ref(format_public_ref("K7QM3XPR")) or "")


@pytest.mark.django_db(transaction=True)
def test_a_code_drawn_twice_is_drawn_again(make_order, monkeypatch):
    """A repeated draw is retried inside the intake, never a 500 or a lost order."""
    _drawn_twice(make_order, monkeypatch)


@pytest.mark.django_db
def test_a_code_drawn_twice_is_drawn_again_inside_a_callers_transaction(make_order, monkeypatch):
    _drawn_twice(make_order, monkeypatch)


def _drawn_twice(make_order, monkeypatch):
    from postdesk.workorders.services import create

    first = make_order()
    draws = iter([first.public_ref, first.public_ref, "ABCD2345"])
    monkeypatch.setattr(create, "new_public_ref", lambda: next(draws))
    second = make_order()
    assert second.public_ref == "ABCD2345"
    second.refresh_from_db()
    assert second.public_ref == "ABCD2345"
    assert int(second.number[8:]) == int(first.number[8:]) + 1
    assert second.events.filter(action="create").count() == 1


@pytest.mark.django_db
def test_existing_orders_are_migrated(make_order):
    from django.apps import apps

    from postdesk.workorders.models import WorkOrder

    kept = make_order()
    old = [make_order(), make_order()]
    WorkOrder.objects.filter(pk=old[0].pk).update(public_ref="x_Y-z0OlI1abcdef")
    WorkOrder.objects.filter(pk=old[1].pk).update(public_ref="Zz_9-aaaaaaaaaaa")
    migration = importlib.import_module("postdesk.workorders.migrations.0003_speakable_public_ref")
    migration.speakable(apps, None)
    refs = dict(WorkOrder.objects.values_list("pk", "public_ref"))
    assert refs[kept.pk] == kept.public_ref
    assert all(public_ref.is_public_ref(r) for r in refs.values())
    assert len(set(refs.values())) == 3
