"""Staff users: roles, home units, extensions unique among active staff, language."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from postdesk.core.errors import Conflict, ValidationFailed
from postdesk.org.models import User
from postdesk.org.selectors import staff_by_extension
from postdesk.org.services import staff_create, staff_set_language

pytestmark = pytest.mark.django_db


def test_demo_staff_have_their_roles_and_units(staff):
    assert staff["agent1"].extension == "8001"
    assert staff["agent2"].extension == "8002"
    assert staff["branch1"].unit.code == "WZ-LC01"
    assert staff["branch2"].unit.code == "WZ-LW01"
    assert staff["admin"].is_superuser
    assert not staff["agent1"].is_staff


def test_extension_is_unique_among_active_staff(org, staff):
    with pytest.raises(ValidationFailed) as exc:
        staff_create(
            username="agent9", password="x", role="agent", unit=org["WZ-11185-HW"], extension="8001"
        )
    assert "extension" in exc.value.fields
    assert not User.objects.filter(username="agent9").exists()

    # once agent1 is deactivated, the extension is free for someone else
    agent1 = staff["agent1"]
    agent1.is_active = False
    agent1.save(update_fields=["is_active"])
    new = staff_create(
        username="agent9", password="x", role="agent", unit=org["WZ-11185-HW"], extension="8001"
    )
    assert staff_by_extension(extension="8001") == new


def test_the_database_also_refuses_two_active_users_on_one_extension(org, staff):
    user = User(username="sneaky", role="agent", unit=org["WZ-11185-HW"], extension="8002")
    with pytest.raises(IntegrityError), transaction.atomic():  # the partial unique index
        user.save()
    user.is_active = False  # an inactive user may keep the number on record
    user.save()


def test_staff_need_a_known_role_and_a_unit(org):
    with pytest.raises(ValidationFailed) as exc:
        staff_create(username="x1", password="x", role="boss", unit=org["WZ"])
    assert "role" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        staff_create(username="x2", password="x", role="agent", unit=None)
    assert "unit" in exc.value.fields


def test_taken_username_or_agent_number_is_a_conflict(org):
    with pytest.raises(Conflict):
        staff_create(username="agent1", password="x", role="agent", unit=org["WZ-11185-HW"])
    with pytest.raises(Conflict):
        staff_create(
            username="agent99", password="x", role="agent", unit=org["WZ"], agent_no="A001"
        )


def test_set_language_validates(staff):
    staff_set_language(user=staff["agent1"], language="en")
    assert User.objects.get(username="agent1").language == "en"
    with pytest.raises(ValidationFailed):
        staff_set_language(user=staff["agent1"], language="fr")
    assert User.objects.get(username="agent1").language == "en"
