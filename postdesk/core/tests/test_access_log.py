"""The personal-data access log is append-only in the database itself (the triggers of
core/migrations/0003), on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from postdesk.core.models import AccessLogEntry
from postdesk.core.services import access_log_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(staff):
    access_log_record(
        actor=staff["agent1"],
        subject_type="customer",
        subjects=[("42", "张三")],
        what="view",
        ip="10.0.0.1",
    )
    return AccessLogEntry.objects.get()


def refused(statement, params=()):
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    assert "append-only" in str(exc.value)


def test_orm_update_and_delete_are_refused(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(subject_label="李四")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.ip = "10.6.6.6"
        entry.save()
    entry.refresh_from_db()
    assert (entry.subject_label, entry.ip) == ("张三", "10.0.0.1")
    assert AccessLogEntry.objects.count() == 1


def test_raw_sql_update_and_delete_are_refused(entry):
    refused("UPDATE core_accesslogentry SET actor_username = 'nobody'")
    refused("DELETE FROM core_accesslogentry")
    refused("DELETE FROM core_accesslogentry WHERE id = %s", [entry.pk])
    assert AccessLogEntry.objects.get().actor_username == "agent1"


def test_inserts_still_work(entry, staff):
    n = access_log_record(
        actor=staff["lead1"],
        subject_type="customer",
        subjects=[("1", "甲"), ("2", "乙"), ("3", "丙")],
        what="export",
        detail="q=",
    )
    assert n == 3
    assert AccessLogEntry.objects.filter(what="export", actor_username="lead1").count() == 3
