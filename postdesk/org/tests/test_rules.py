"""The organisation's and the notifications' predicates, for every role (written by hand)."""

from __future__ import annotations

import pytest

from postdesk.notify.rules import can_read_sms_templates
from postdesk.org.models import Role, User
from postdesk.org.rules import can_read_unit_tree

EXPECTED = {  # role -> (the unit tree, the SMS templates)
    Role.AGENT: (False, False),
    Role.LEAD: (False, True),
    Role.DIRECTOR: (True, True),
    Role.HANDLER: (False, False),
    Role.ADMIN: (True, True),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_role(role: str) -> None:
    user = User(username="u", role=role, is_active=True)
    assert (can_read_unit_tree(user), can_read_sms_templates(user)) == EXPECTED[role]
    user.is_active = False
    assert (can_read_unit_tree(user), can_read_sms_templates(user)) == (False, False)


def test_a_superuser_without_a_role_may_both() -> None:
    user = User(username="s", role="", is_superuser=True, is_active=True)
    assert can_read_unit_tree(user) and can_read_sms_templates(user)


@pytest.mark.django_db
def test_the_pages_follow_the_predicates(staff, client) -> None:
    for username in ("agent1", "lead1", "director1", "branch1"):
        user = staff[username]
        client.force_login(user)
        assert (client.get("/org/units/").status_code == 200) == can_read_unit_tree(user)
        sms = client.get("/notifications/sms/templates/").status_code
        assert (sms == 200) == can_read_sms_templates(user)
