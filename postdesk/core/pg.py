"""PostgreSQL-only cursor helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def multi_statement_cursor() -> Iterator[Any]:
    """A client-side-binding cursor on this thread's connection, for several statements
    with their parameters in one round trip (`BEGIN; …; COMMIT`). The connection's own
    cursors bind on the server so that PostgreSQL can prepare them, and the server takes
    one statement per such call. Errors map to Django's database errors as usual."""
    from psycopg import ClientCursor

    connection.ensure_connection()
    with connection.wrap_database_errors, ClientCursor(connection.connection) as raw:
        yield raw
