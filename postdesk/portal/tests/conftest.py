from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from postdesk.workorders.tests.conftest import act, make_order  # noqa: F401

POW_BITS = 8  # the tests' proof of work: the rule as in production, a few hundred hashes


@pytest.fixture(autouse=True)
def _small_proof_of_work(settings):
    settings.POSTDESK_PORTAL_POW_BITS = POW_BITS


@pytest.fixture
def anon():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def solved(client: Client) -> dict[str, str]:
    """A fresh challenge and its solution, as the page's script finds it."""
    from postdesk.portal.challenge import solve

    body = client.get("/api/v1/public/challenge").json()
    return {"challenge": body["challenge"], "solution": solve(body["challenge"], body["bits"])}


def wrong_solution(token: str, bits: int = POW_BITS) -> str:
    """A solution that does not solve the challenge (appending a character to a right one
    still solves it once in 2**bits tries, so look for one that is wrong for certain)."""
    from postdesk.portal.challenge import leading_zero_bits, solution_digest

    return next(
        candidate
        for candidate in (f"x{n}" for n in range(10_000))
        if leading_zero_bits(solution_digest(token, candidate)) < bits
    )


def pickup_window(hours: int = 3) -> dict[str, str]:
    start = timezone.localtime() + timedelta(hours=hours)
    start = start.replace(minute=0, second=0, microsecond=0)
    return {
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(hours=2)).isoformat(),
    }


COMPLAINT = {
    "type": "complaint",
    "subtype": "delay",
    "phone": "139 5770 1234",
    "name": "赵女士",
    "text": "寄往杭州的包裹五天了还没到，物流信息一直不更新。",
    "waybill_no": "EA473124829CN",
}


@pytest.fixture
def file_request(anon):
    """file_request(**fields) -> the API's response to a filing with a solved challenge."""

    def send(client: Client | None = None, pow: dict | None = None, **fields):
        client = client or anon
        body = {**COMPLAINT, **fields}
        body = {k: v for k, v in body.items() if v is not None}
        body.update(pow if pow is not None else solved(client))
        return client.post(
            "/api/v1/public/requests", json.dumps(body), content_type="application/json"
        )

    return send
