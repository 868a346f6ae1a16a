"""Who may do what with tracking, for every role, and the pages and the API agreeing."""

from __future__ import annotations

import pytest

from postdesk.org.models import Role, User
from postdesk.tracking import rules

EXPECTED = {  # written by hand: role -> (track, enter results, delivery targets, import)
    Role.AGENT: (True, True, False, False),
    Role.LEAD: (True, True, True, True),
    Role.DIRECTOR: (True, False, True, True),
    Role.HANDLER: (True, True, False, False),
    Role.ADMIN: (True, True, True, True),
}
PREDICATES = (
    rules.can_track,
    rules.can_enter_results,
    rules.can_read_delivery_targets,
    rules.can_import,
)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_role(role: str) -> None:
    user = User(username="u", role=role, is_active=True)
    assert tuple(p(user) for p in PREDICATES) == EXPECTED[role]
    user.is_active = False
    assert not any(p(user) for p in PREDICATES)


def test_a_superuser_is_an_administrator_and_no_role_is_nothing() -> None:
    assert all(p(User(username="s", role="", is_superuser=True)) for p in PREDICATES)
    assert not any(p(User(username="n", role="", is_active=True)) for p in PREDICATES)


@pytest.mark.django_db
def test_pages_api_and_tabs_follow_the_predicates(staff, client, api_for) -> None:
    for username in ("agent1", "director1", "branch1"):
        user = staff[username]
        client.force_login(user)
        kpi = client.get("/tracking/kpi/").status_code
        assert kpi == (200 if rules.can_read_delivery_targets(user) else 403)
        imports = client.get("/tracking/imports/").status_code
        assert imports == (200 if rules.can_import(user) else 403)
        report = api_for(username).get("/api/v1/reports/delivery", {"month": "2024-03"})
        assert report.status_code == (200 if rules.can_read_delivery_targets(user) else 403)
        tabs = client.get("/tracking/").content.decode()
        assert ('href="/tracking/results/"' in tabs) == rules.can_enter_results(user)
        assert ('href="/tracking/imports/"' in tabs) == rules.can_import(user)
