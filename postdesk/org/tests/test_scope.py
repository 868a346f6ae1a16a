"""The scope rule (who sees which units) and the scoped unit list of the API."""

from __future__ import annotations

import pytest

from postdesk.org.selectors import scope_for, units_visible

pytestmark = pytest.mark.django_db

RA_SUBTREE = {"RA", "RA-11185", "RA-01", "RA-02"}


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()}


def test_city_roles_and_admin_see_every_unit(org, staff):
    for username in ("admin", "agent1", "lead1", "director1"):
        scope = scope_for(user=staff[username])
        assert scope.everything, username
        assert set(units_visible(user=staff[username]).values_list("code", flat=True)) == set(org)


def test_county_agent_sees_only_its_county_subtree(org, staff):
    scope = scope_for(user=staff["ra_agent1"])
    assert not scope.everything
    visible = set(units_visible(user=staff["ra_agent1"]).values_list("code", flat=True))
    assert visible == RA_SUBTREE
    assert scope.allows_unit(org["RA-02"].pk)
    assert not scope.allows_unit(org["WZ-LC01"].pk)
    assert not scope.allows_unit(org["YQ-01"].pk)


def test_branch_handler_sees_its_unit_and_below(org, staff):
    assert set(units_visible(user=staff["branch1"]).values_list("code", flat=True)) == {"WZ-LC01"}
    assert set(units_visible(user=staff["ra_branch1"]).values_list("code", flat=True)) == {"RA-01"}
    assert not scope_for(user=staff["branch1"]).allows_unit(org["WZ-LW01"].pk)


def test_inactive_user_sees_nothing(org, staff):
    user = staff["agent2"]
    user.is_active = False
    assert not scope_for(user=user).everything
    assert not units_visible(user=user).exists()


def test_api_unit_list_is_scoped(api_for, org):
    assert codes(api_for("admin").get("/api/v1/org/units")) == set(org)
    assert codes(api_for("agent1").get("/api/v1/org/units")) == set(org)
    assert codes(api_for("ra_agent1").get("/api/v1/org/units")) == RA_SUBTREE
    assert codes(api_for("branch1").get("/api/v1/org/units")) == {"WZ-LC01"}
    assert codes(api_for("branch2").get("/api/v1/org/units")) == {"WZ-LW01"}


def test_api_unit_list_rows(api_for):
    rows = {row["code"]: row for row in api_for("ra_agent1").get("/api/v1/org/units").json()}
    assert rows["RA-01"] == {
        "code": "RA-01",
        "name": "瑞安城关支局",
        "type": "branch",
        "parent": "RA",
        "is_active": True,
    }


def test_unit_tree_page_only_for_admin_and_director(client_for):
    assert client_for("director1").get("/org/units/").status_code == 200
    assert client_for("admin").get("/org/units/").status_code == 200
    assert client_for("agent1").get("/org/units/").status_code == 404
    assert client_for("branch1").get("/org/units/").status_code == 404


def _fresh(user):
    """The user as the next request loads it (scopes are remembered per process, not per
    user object)."""
    return type(user).objects.select_related("unit").get(pk=user.pk)


def test_a_unit_moved_into_a_county_changes_that_countys_scope_at_once(org, staff):
    from postdesk.org.services import unit_create, unit_move

    assert not scope_for(user=_fresh(staff["ra_agent1"])).allows_unit(org["WZ-LC01"].pk)
    unit_move(unit=org["WZ-LC01"], new_parent=org["RA"])
    assert scope_for(user=_fresh(staff["ra_agent1"])).allows_unit(org["WZ-LC01"].pk)
    new = unit_create(code="RA-03", name="新设支局", type="branch", parent=org["RA"])
    assert scope_for(user=_fresh(staff["ra_agent1"])).allows_unit(new.pk)


def test_a_changed_role_or_unit_takes_effect_at_the_next_request(org, staff):
    user = staff["branch1"]
    assert not scope_for(user=_fresh(user)).allows_unit(org["WZ-LW01"].pk)
    user.unit = org["WZ-LW01"]
    user.save(update_fields=["unit"])
    assert scope_for(user=_fresh(user)).unit_ids == {org["WZ-LW01"].pk}


def test_another_process_change_is_seen_within_the_cache_time(org, staff, monkeypatch):
    import time

    from postdesk.core import ttlcache
    from postdesk.org.models import Unit
    from postdesk.org.selectors import SCOPE_CACHE_SECONDS

    assert scope_for(user=_fresh(staff["ra_agent1"])).unit_ids
    lc01 = org["WZ-LC01"]
    ra = org["RA"]
    # what another process's move would leave behind (no signal reaches this one)
    Unit.objects.filter(pk=lc01.pk).update(parent=ra, path=f"{ra.path}{lc01.pk}/")
    assert not scope_for(user=_fresh(staff["ra_agent1"])).allows_unit(lc01.pk)
    later = time.monotonic() + SCOPE_CACHE_SECONDS + 1
    monkeypatch.setattr(ttlcache.time, "monotonic", lambda: later)
    assert scope_for(user=_fresh(staff["ra_agent1"])).allows_unit(lc01.pk)
