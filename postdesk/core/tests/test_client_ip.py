"""The address written to the access log cannot be chosen by the client."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from postdesk.core.request import client_ip


def ip_of(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_direct_client_cannot_forge_its_address():
    assert ip_of("10.1.2.3") == "10.1.2.3"
    assert ip_of("10.1.2.3", "6.6.6.6") == "10.1.2.3"


def test_behind_our_proxy_the_hop_it_appended_counts():
    assert ip_of("127.0.0.1", "10.1.2.3") == "10.1.2.3"
    # a client that writes its own header: the proxy appends the real address last
    assert ip_of("127.0.0.1", "6.6.6.6, 10.1.2.3") == "10.1.2.3"
    assert ip_of("127.0.0.1") == "127.0.0.1"
    assert ip_of("127.0.0.1", "") == "127.0.0.1"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [("6.6.6.6, 10.1.2.3, 192.168.0.9", "10.1.2.3"), ("192.168.0.9", "192.168.0.9")],
)
def test_a_chain_of_trusted_proxies(settings, forwarded, expected):
    settings.POSTDESK_TRUSTED_PROXIES = ["127.0.0.1", "192.168.0.9"]
    assert ip_of("127.0.0.1", forwarded) == expected
    assert ip_of("192.168.0.9", forwarded) == expected


def test_full_view_logs_the_real_address(db, client_for, staff):
    from postdesk.core.models import AccessLogEntry
    from postdesk.customers.services import customer_create

    customer = customer_create(actor=staff["agent1"], name="张三", phones=["13812345678"])
    client_for("agent1").post(
        f"/customers/{customer.pk}/reveal/", REMOTE_ADDR="10.8.8.8", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert AccessLogEntry.objects.get().ip == "10.8.8.8"
