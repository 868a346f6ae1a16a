from __future__ import annotations

import pytest
from django.db import transaction


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """committed(fn, *a, **kw): run fn in a transaction whose commit runs the outbox
    (sync mode), as a request does."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def api(api_for, django_capture_on_commit_callbacks):
    """api("agent1") -> a token client whose requests run their on-commit work."""

    class Client:
        def __init__(self, username: str) -> None:
            self.client = api_for(username)

        def __getattr__(self, name):
            method = getattr(self.client, name)

            def call(*args, **kwargs):
                kwargs.setdefault("content_type", "application/json")
                with django_capture_on_commit_callbacks(execute=True):
                    return method(*args, **kwargs)

            return call

    return Client
