"""The bell's badge on every page: the reader's unread notifications (notify's own
context processor), nothing for someone signed out."""

from __future__ import annotations

import pytest

from postdesk.notify.models import Notification

pytestmark = pytest.mark.django_db


def test_the_badge_counts_the_readers_unread_notifications(client_for, staff):
    from django.test import Client
    from django.utils import timezone

    for i in range(3):
        Notification.objects.create(user=staff["agent1"], key=f"k{i}", title=f"新工单{i}")
    Notification.objects.create(
        user=staff["agent1"], key="read", title="已读", read_at=timezone.now()
    )
    Notification.objects.create(user=staff["lead1"], key="other", title="别人的")
    page = client_for("agent1").get("/").content.decode()
    assert 'data-testid="bell"' in page and '<span class="badge">3</span>' in page
    assert '<span class="badge">' not in client_for("director1").get("/").content.decode()
    assert "unread_notifications" not in (Client().get("/login/").context or {})
