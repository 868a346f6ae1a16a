"""How the web application talks to its database."""

from __future__ import annotations

from django.conf import settings
from django.db import connections


def use_prepared_statements(threshold: int | None = None) -> bool:
    """Make this process a web process for PostgreSQL: parameters bound on the server,
    and a statement that a connection has run `threshold` times (default
    `settings.DB_PREPARE_THRESHOLD`) prepared there. `postdesk.wsgi` calls it before its
    first request; commands and workers never do. Connections opened before keep their
    mode until they reconnect. Returns whether statements are prepared."""
    threshold = settings.DB_PREPARE_THRESHOLD if threshold is None else threshold
    if threshold is None or not settings.IS_POSTGRES:
        return False
    options = connections["default"].settings_dict.setdefault("OPTIONS", {})
    options["server_side_binding"] = True
    options["prepare_threshold"] = threshold
    return True
