"""`core.rows`: the hot paths' statements write what the ORM writes, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from postdesk.core import rows
from postdesk.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in type(obj)._meta.concrete_fields
        if not f.primary_key
    }


def test_add_stores_what_save_stores_with_the_fields_pre_save():
    before = timezone.now()
    by_orm = IdempotencyRecord(principal="u1", key="a", fingerprint="f" * 64, status=201, body="{}")
    by_orm.save(force_insert=True)
    added = IdempotencyRecord(principal="u1", key="b", fingerprint="f" * 64, status=201, body="{}")
    rows.add(added)
    # auto_now_add is set by the field, as save() sets it (never stored as NULL)
    assert added.created_at is not None and added.created_at >= before
    assert added.pk is not None and added.pk != by_orm.pk
    assert not added._state.adding and added._state.db == by_orm._state.db
    stored = IdempotencyRecord.objects.get(pk=added.pk)
    assert _fields(stored) == _fields(added)
    orm_stored = _fields(IdempotencyRecord.objects.get(pk=by_orm.pk))
    assert {k: v for k, v in _fields(stored).items() if k not in {"key", "created_at"}} == {
        k: v for k, v in orm_stored.items() if k not in {"key", "created_at"}
    }
    assert abs(stored.created_at - orm_stored["created_at"]) < timedelta(minutes=1)
    # a row added is an ordinary saved object afterwards
    added.status = 200
    added.save(update_fields=["status"])
    assert IdempotencyRecord.objects.get(pk=added.pk).status == 200


def test_add_refuses_what_the_constraints_refuse_and_writes_nothing():
    rows.add(IdempotencyRecord(principal="u1", key="a", fingerprint="x", status=201, body=""))
    twin = IdempotencyRecord(principal="u1", key="a", fingerprint="y", status=201, body="")
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.add(twin)
    assert twin.pk is None and twin._state.adding
    assert IdempotencyRecord.objects.filter(principal="u1", key="a").count() == 1
