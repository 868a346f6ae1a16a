"""API authentication: `Authorization: Token …` or the session; anything else is a 401
with the JSON error body."""

from __future__ import annotations

import pytest
from django.test import Client

from postdesk.core.models import ApiToken
from postdesk.core.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

NOT_AUTHENTICATED = {
    "code": "not_authenticated",
    "message": "请先登录，或提供有效的 API 令牌。",
    "fields": {},
}


def test_me_with_a_token(api_for):
    response = api_for("branch1").get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["role"], body["unit"]) == ("branch1", "handler", "WZ-LC01")
    assert body["display_name"] == "徐建国"


def test_me_with_a_session(client_for):
    body = client_for("agent1").get("/api/v1/me").json()
    assert (body["username"], body["role"], body["unit"]) == ("agent1", "agent", "WZ-11185-HW")


def test_me_for_the_administrator_and_a_county_agent(api_for):
    assert api_for("admin").get("/api/v1/me").json()["role"] == "admin"
    assert api_for("ra_agent1").get("/api/v1/me").json()["unit"] == "RA-11185"


def test_bearer_scheme_is_accepted_too(staff):
    token = api_token_create(user=staff["lead1"])
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me")
    assert response.json()["username"] == "lead1"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Token",
        "Token ",
        "Token pd_forged0000000000000000000000000000000",
        "Basic YWdlbnQxOnBvc3RkZXNr",
        "Token " + "x" * 500,
    ],
)
def test_no_or_forged_token_is_401_with_the_error_body(org, header):
    client = Client(HTTP_AUTHORIZATION=header) if header is not None else Client()
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == NOT_AUTHENTICATED


def test_revoked_token_and_inactive_user_are_refused(staff):
    token = api_token_create(user=staff["agent2"])
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me").status_code == 200
    api_token_revoke(token_id=ApiToken.objects.get(user=staff["agent2"]).pk)
    assert client.get("/api/v1/me").status_code == 401

    token = api_token_create(user=staff["agent3"])
    staff["agent3"].is_active = False
    staff["agent3"].save(update_fields=["is_active"])
    assert Client(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/me").status_code == 401


def test_only_the_hash_of_a_token_is_stored(staff):
    token = api_token_create(user=staff["agent1"], name="CTI")
    row = ApiToken.objects.get(user=staff["agent1"])
    assert token not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
    assert token.startswith(row.prefix)


def test_token_use_is_stamped(api_for, staff):
    client = api_for("agent1")
    assert ApiToken.objects.get(user=staff["agent1"]).last_used_at is None
    client.get("/api/v1/me")
    assert ApiToken.objects.get(user=staff["agent1"]).last_used_at is not None


def test_session_writes_need_the_csrf_token_token_writes_do_not(staff, api_for):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["agent1"])
    for language, message in (
        ("zh-CN", "您无权执行此操作。"),
        ("en", "You are not allowed to do this."),
    ):
        response = client.post(
            "/api/v1/notifications/read", {}, content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language,
        )  # fmt: skip
        assert response.status_code == 403
        assert response.json() == {"code": "permission_denied", "message": message, "fields": {}}

    client.get("/")  # the page sets the CSRF cookie, as a browser session has it
    response = client.post(
        "/api/v1/notifications/read",
        {},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 200
    with_token = api_for("agent1").post(
        "/api/v1/notifications/read", {}, content_type="application/json"
    )
    assert with_token.status_code == 200


def test_a_known_token_follows_changes_to_its_user_at_once(staff):
    token = api_token_create(user=staff["agent2"])
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me").json()["role"] == "agent"  # now remembered
    staff["agent2"].role = "lead"
    staff["agent2"].save(update_fields=["role"])
    assert client.get("/api/v1/me").json()["role"] == "lead"
    staff["agent2"].is_active = False
    staff["agent2"].save(update_fields=["is_active"])
    assert client.get("/api/v1/me").status_code == 401


def test_a_revocation_by_another_process_holds_within_the_cache_time(staff, monkeypatch):
    import time

    from postdesk.core import ttlcache
    from postdesk.core.services import TOKEN_CACHE_SECONDS
    from postdesk.core.ttlcache import clear_all

    token = api_token_create(user=staff["agent2"])
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me").status_code == 200
    # as another process revokes it: the row changes, this process's cache is not told
    ApiToken.objects.filter(user=staff["agent2"]).update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get("/api/v1/me").status_code == 200
    later = time.monotonic() + TOKEN_CACHE_SECONDS + 1
    monkeypatch.setattr(ttlcache.time, "monotonic", lambda: later)
    assert client.get("/api/v1/me").status_code == 401
    clear_all()


def test_each_request_gets_its_own_user_object(staff):
    from postdesk.core.services import api_token_authenticate

    token = api_token_create(user=staff["agent1"])
    first = api_token_authenticate(raw=token)
    second = api_token_authenticate(raw=token)
    assert first is not None and second is not None and first is not second
    first.display_name = "changed in one request"
    assert second.display_name != first.display_name


@pytest.mark.parametrize("path", ["/api/v1/notifications/read", "/api/v1/workorders/"])
def test_anonymous_writes_are_401_not_403(org, path):
    """A POST without a session or token is not authenticated (401); CSRF only matters to
    a signed-in session."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    bad_token = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION="Token pd_wrong")
    response = bad_token.post("/api/v1/workorders/", "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


def test_wrong_tokens_are_throttled_per_address(staff, settings):
    settings.POSTDESK_API_TOKEN_FAIL_LIMIT = 3
    settings.POSTDESK_API_TOKEN_FAIL_WINDOW = 600
    good = api_token_create(user=staff["agent1"])
    attacker = Client(HTTP_AUTHORIZATION="Token pd_guess", REMOTE_ADDR="10.9.8.7")
    assert [attacker.get("/api/v1/me").status_code for _ in range(3)] == [401, 401, 401]
    refused = attacker.get("/api/v1/me")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 600
    # from that address even a good token waits until the window ends (no lookups meanwhile)
    same_address = Client(HTTP_AUTHORIZATION=f"Token {good}", REMOTE_ADDR="10.9.8.7")
    assert same_address.get("/api/v1/me").status_code == 429
    # another address is not affected, nor are requests without a token
    other = Client(HTTP_AUTHORIZATION=f"Token {good}", REMOTE_ADDR="10.9.8.8")
    assert other.get("/api/v1/me").status_code == 200
    assert Client(REMOTE_ADDR="10.9.8.7").get("/api/v1/me").status_code == 401
