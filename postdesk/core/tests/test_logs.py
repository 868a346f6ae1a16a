"""Tokens in URLs never reach a log (Zammad's CTI path)."""

from __future__ import annotations

import logging

from postdesk.core.logs import AccessLogger, ScrubTokens, scrub


def test_the_cti_token_is_scrubbed_from_paths_and_request_lines():
    assert scrub("/api/v1/cti/cti_AbC-12_x") == "/api/v1/cti/<token>"
    assert scrub("POST /api/v1/cti/zammad/cti_AbC?x=1 HTTP/1.1") == (
        "POST /api/v1/cti/zammad/<token>?x=1 HTTP/1.1"
    )
    assert scrub("POST /api/v1/cti/events HTTP/1.1") == "POST /api/v1/cti/events HTTP/1.1"
    assert scrub("GET /calls/ HTTP/1.1") == "GET /calls/ HTTP/1.1"


def test_log_records_and_the_access_log_never_carry_it():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Bad Request: %s",
        ("/api/v1/cti/zammad/cti_secret",), None,
    )  # fmt: skip
    assert ScrubTokens().filter(record)
    assert record.getMessage() == "Bad Request: /api/v1/cti/zammad/<token>"

    from types import SimpleNamespace

    from gunicorn.config import Config

    logger = AccessLogger(Config())
    path = "/api/v1/cti/cti_secret"
    req = SimpleNamespace(method="POST", uri=path, path=path, query="", version=(1, 1), headers=[])
    resp = SimpleNamespace(status="200 OK", response_length=2, sent=2, headers=[])
    environ = {"REMOTE_ADDR": "127.0.0.1", "RAW_URI": path, "PATH_INFO": path,
               "REQUEST_METHOD": "POST", "SERVER_PROTOCOL": "HTTP/1.1"}  # fmt: skip
    import datetime

    atoms = logger.atoms(resp, req, environ, datetime.timedelta(seconds=0.01))
    assert "cti_secret" not in atoms["r"] and "cti_secret" not in atoms["U"]
    assert atoms["r"] == "POST /api/v1/cti/<token> HTTP/1.1"
