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
