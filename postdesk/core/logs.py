"""Tokens in URLs never reach a log. The paths that carry one: Zammad's CTI push
(`/api/v1/cti/<token>`, `/api/v1/cti/zammad/<token>`: a published PBX client only knows
how to put the token there). `scrub` puts `<token>` in its place; `ScrubTokens` does it
for every log record (Django's "Bad Request: <path>" warnings among them), and
`AccessLogger` for gunicorn's access log (`postdesk serve`)."""

from __future__ import annotations

import logging
import re
from typing import Any

_TOKEN_PATH = re.compile(r"(/api/v1/cti/(?:zammad/)?)(?!events(?:[/?\s\"]|$))[^/?\s\"]+")


def scrub(text: str) -> str:
    if "/api/v1/cti/" not in text:
        return text
    return _TOKEN_PATH.sub(r"\1<token>", text)


class ScrubTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def _gunicorn_logger() -> Any:
    from gunicorn.glogging import Logger

    class AccessLogger(Logger):  # type: ignore[misc]
        """gunicorn's logger, with tokens out of every atom (request line, path, …)."""

        def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> Any:
            atoms = super().atoms(resp, req, environ, request_time)
            return {k: scrub(v) if isinstance(v, str) else v for k, v in atoms.items()}

    return AccessLogger


AccessLogger = _gunicorn_logger()
