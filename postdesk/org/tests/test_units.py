"""The unit tree: creating units, moving a subtree (paths and history), deactivating."""

from __future__ import annotations

import pytest

from postdesk.core.errors import ValidationFailed
from postdesk.org.models import Unit, UnitChange
from postdesk.org.selectors import scope_for, unit_subtree_ids, units_visible
from postdesk.org.services import unit_create, unit_move, unit_set_active

pytestmark = pytest.mark.django_db


def test_created_unit_has_its_parents_path(org):
    unit = unit_create(code="RA-03", name="飞云支局", type="branch", parent=org["RA"])
    assert unit.path == f"{org['RA'].path}{unit.pk}/"
    assert unit.pk in unit_subtree_ids(unit=org["RA"])


def test_unit_create_rejects_bad_input_and_writes_nothing(org):
    before = Unit.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        unit_create(code="WZ-LC01", name="重复", type="branch", parent=org["WZ"])
    assert "code" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        unit_create(code="X-1", name="未知", type="planet", parent=org["WZ"])
    assert "type" in exc.value.fields
    with pytest.raises(ValidationFailed):
        unit_create(code="  ", name="空", type="branch")
    assert Unit.objects.count() == before


def test_move_rewrites_the_subtree_paths_and_keeps_history(org, staff):
    # 乐清 (YQ) with its centre and branches moves under 瑞安 (RA)
    yq, ra = org["YQ"], org["RA"]
    subtree = {u.code: u.path for u in Unit.objects.filter(path__startswith=yq.path)}
    assert set(subtree) == {"YQ", "YQ-11185", "YQ-01", "YQ-02"}

    unit_move(unit=yq, new_parent=ra, actor=staff["admin"])

    moved = {u.code: u for u in Unit.objects.filter(code__in=subtree)}
    new_root = f"{ra.path}{yq.pk}/"
    assert moved["YQ"].path == new_root
    assert moved["YQ"].parent_id == ra.pk
    for code, old_path in subtree.items():
        assert moved[code].path == new_root + old_path[len(yq.path) :], code
    # children keep their own parents; nothing else moved
    assert moved["YQ-01"].parent_id == yq.pk
    assert Unit.objects.get(code="WZ-LC01").path == org["WZ-LC01"].path

    change = UnitChange.objects.get(unit=yq)
    assert (change.field, change.old_value, change.new_value) == ("parent", "WZ", "RA")
    assert change.actor == staff["admin"]

    # the scope follows the tree: RA's agent now sees 乐清's units, and 乐清's own agent
    # (whose county bureau is still YQ) keeps its subtree
    ra_codes = set(units_visible(user=staff["ra_agent1"]).values_list("code", flat=True))
    assert {"YQ", "YQ-01", "YQ-02", "YQ-11185", "RA-01"} <= ra_codes
    staff["yq_agent1"].refresh_from_db()
    yq_scope = scope_for(user=staff["yq_agent1"])
    assert yq_scope.unit_ids == frozenset(moved[c].pk for c in subtree)


def test_moving_twice_keeps_both_changes(org):
    lc03 = org["WZ-LC03"]
    unit_move(unit=lc03, new_parent=org["WZ-LC01"])
    unit_move(unit=lc03, new_parent=org["WZ"])
    history = list(UnitChange.objects.filter(unit=lc03).order_by("id"))
    assert [(c.old_value, c.new_value) for c in history] == [("WZ", "WZ-LC01"), ("WZ-LC01", "WZ")]
    lc03.refresh_from_db()
    assert lc03.path == f"{org['WZ'].path}{lc03.pk}/"


def test_a_unit_cannot_move_under_itself(org):
    with pytest.raises(ValidationFailed) as exc:
        unit_move(unit=org["RA"], new_parent=org["RA-01"])
    assert "parent" in exc.value.fields
    with pytest.raises(ValidationFailed):
        unit_move(unit=org["RA"], new_parent=org["RA"])
    assert not UnitChange.objects.exists()
    assert Unit.objects.get(code="RA").path == org["RA"].path


def test_deactivation_is_recorded_once(org):
    unit = org["WZ-DT01"]
    unit_set_active(unit=unit, active=False)
    unit_set_active(unit=unit, active=False)
    unit.refresh_from_db()
    assert not unit.is_active
    assert UnitChange.objects.filter(unit=unit, field="is_active").count() == 1
