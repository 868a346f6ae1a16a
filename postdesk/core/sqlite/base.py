"""Django's SQLite backend, with writers queued by the operating system.

SQLite lets one writer at a time in; `BEGIN IMMEDIATE` makes the others wait in SQLite's
busy handler, which sleeps in steps of up to 100 ms and so lets the lock stand idle while
writers doze (at 8 concurrent intakes, most of the time). Here every write transaction
first takes an exclusive `flock` on a file beside the database: the kernel wakes the next
writer the moment the last one commits, in every thread and every process alike. Reads
take no lock (WAL lets them run beside the writer). A write outside a transaction (an
autocommit `.update()`, `.delete()`, a single-table `save()`, `bulk_create`) is a
transaction of its own: it takes the lock for its one statement. In-memory databases
are left as Django makes them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from typing import Any

from django.db.backends.sqlite3 import base

# A statement that writes (what SQLite would take its write lock for).
_WRITES = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


def _writes(sql: str) -> bool:
    if _WRITES.match(sql):
        return True
    return sql.lstrip()[:4].upper() == "WITH" and bool(
        re.search(r"\b(?:INSERT|UPDATE|DELETE)\b", sql, re.IGNORECASE)
    )


class _Cursor(base.SQLiteCursorWrapper):
    """Django's cursor; a write in autocommit mode holds the writers' lock meanwhile."""

    owner: DatabaseWrapper

    def execute(self, query: str, params: Any = None) -> Any:
        if self.owner.autocommit and _writes(query):
            with self.owner.writer_lock_for_one_statement():
                return super().execute(query, params)
        return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if self.owner.autocommit and _writes(query):
            with self.owner.writer_lock_for_one_statement():
                return super().executemany(query, param_list)
        return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer_fd: int | None = None
        self._writer_locked = False

    def _writer_lock_path(self) -> str | None:
        name = str(self.settings_dict.get("NAME") or "")
        if not name or self.is_in_memory_db():
            return None
        return f"{name}.writer-lock"

    def _take_writer_lock(self) -> None:
        path = self._writer_lock_path()
        if path is None or self._writer_locked:
            return
        if self._writer_fd is None:
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._writer_fd, fcntl.LOCK_EX)
        self._writer_locked = True

    def _release_writer_lock(self) -> None:
        if self._writer_locked and self._writer_fd is not None:
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)
        self._writer_locked = False

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=_Cursor)
        cursor.owner = self
        return cursor

    @contextlib.contextmanager
    def writer_lock_for_one_statement(self) -> Iterator[None]:
        """The writers' lock around one autocommit statement (none if a transaction of
        this connection holds it already)."""
        if self._writer_locked:
            yield
            return
        self._take_writer_lock()
        try:
            yield
        finally:
            self._release_writer_lock()

    def _start_transaction_under_autocommit(self) -> None:
        self._take_writer_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release_writer_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release_writer_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release_writer_lock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
