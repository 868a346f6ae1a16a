from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def cti_token(db):
    from postdesk.calls.services import cti_token_create

    _token, raw = cti_token_create(name="test pbx")
    return raw


@pytest.fixture
def cti(db):
    return Client()


@pytest.fixture(autouse=True)
def _fresh_caches():
    from postdesk.calls.services import extension_cache_clear

    extension_cache_clear()
    yield
    extension_cache_clear()


@pytest.fixture(autouse=True)
def _wrapup_codes(request):
    """The wrap-up codes the migration seeds, made sure of: a transactional test that ran
    earlier in the same worker flushed every table, the codes with them (the suite runs
    in parallel, so the order of the tests differs from run to run)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("db")
    from postdesk.calls.services import wrapup_codes_ensure

    wrapup_codes_ensure()
