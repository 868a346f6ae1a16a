"""The SQLite backend queues writers with flock: the second writer starts the moment
the first commits (or rolls back), never while it is still writing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from postdesk.core.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.sqlite  # the flock queue is the SQLite backend's


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    with django_db_blocker.unblock():  # files of these tests' own, not the test database
        yield


def _wrapper(path) -> DatabaseWrapper:
    settings_dict = {**connection.settings_dict, "NAME": str(path), "TEST": {}}
    wrapper = DatabaseWrapper(settings_dict, alias="writers_test")
    wrapper.ensure_connection()
    return wrapper


def _begin(wrapper: DatabaseWrapper) -> None:
    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _end(wrapper: DatabaseWrapper, commit: bool = True) -> None:
    wrapper.commit() if commit else wrapper.rollback()
    wrapper.set_autocommit(True)


def _impatient(path) -> DatabaseWrapper:
    """A connection whose SQLite busy handler gives up at once: if it gets in while
    another writer holds the lock, only the writers' queue can have let it in."""
    options = {**connection.settings_dict["OPTIONS"], "timeout": 0}
    settings_dict = {**connection.settings_dict, "NAME": str(path), "TEST": {}, "OPTIONS": options}
    wrapper = DatabaseWrapper(settings_dict, alias="writers_test_impatient")
    wrapper.ensure_connection()
    return wrapper


def _second_writer_after_the_first(path, commit: bool, write) -> list[str]:
    """The first writer holds a transaction; `write(second)` runs on another thread
    with an impatient connection. Returns the order of what happened."""
    first = _wrapper(path)
    first.cursor().execute("CREATE TABLE t (n integer)")
    _begin(first)
    first.cursor().execute("INSERT INTO t VALUES (1)")
    order: list[str] = []
    errors: list[BaseException] = []
    ready = threading.Event()

    def run() -> None:
        second = _impatient(path)  # a connection belongs to its thread
        ready.set()
        try:
            write(second)
            order.append("second wrote")
        except BaseException as exc:
            errors.append(exc)
        finally:
            second.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert ready.wait(10)
    thread.join(0.3)  # a chance to go wrong; nothing here is timed
    assert thread.is_alive() and not order and not errors, "it did not wait for the first"
    order.append("first ends")
    _end(first, commit)
    thread.join(10)
    assert not errors, errors  # "database is locked": it was not queued behind the first
    rows = sorted(r[0] for r in first.cursor().execute("SELECT n FROM t").fetchall())
    first.close()
    assert not first._writer_locked and first._writer_fd is None
    return [*order, f"rows {rows}"]


@pytest.mark.parametrize("commit", [True, False])
def test_a_second_transaction_waits_for_the_first_then_goes(tmp_path, commit):
    def write(second: DatabaseWrapper) -> None:
        _begin(second)  # queues on the lock file, not in SQLite's busy handler
        second.cursor().execute("INSERT INTO t VALUES (2)")
        _end(second)

    order = _second_writer_after_the_first(tmp_path / "w.sqlite3", commit, write)
    assert order == ["first ends", "second wrote", f"rows {[1, 2] if commit else [2]}"]


@pytest.mark.parametrize("commit", [True, False])
def test_an_autocommit_write_waits_for_the_writer_too(tmp_path, commit):
    """`.update()`, `.delete()` or a single-table `save()` outside a transaction is a
    transaction of its own: it queues on the writers' lock as well."""

    def write(second: DatabaseWrapper) -> None:
        assert second.get_autocommit()
        second.cursor().execute("INSERT INTO t VALUES (2)")
        second.cursor().execute("UPDATE t SET n = n + 10 WHERE n = 2")

    order = _second_writer_after_the_first(tmp_path / "a.sqlite3", commit, write)
    assert order == ["first ends", "second wrote", f"rows {[1, 12] if commit else [12]}"]


def test_only_writes_take_the_lock():
    from postdesk.core.sqlite.base import _writes

    for sql in ("INSERT INTO t VALUES (1)", " update t set n=1", "DELETE FROM t",
                "REPLACE INTO t VALUES (1)", "CREATE TABLE x (n int)",
                "WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a"):  # fmt: skip
        assert _writes(sql), sql
    reads = ("SELECT 1", "PRAGMA foreign_keys", "BEGIN IMMEDIATE", "WITH a AS (SELECT 1) SELECT 1")
    for sql in reads:
        assert not _writes(sql), sql


def test_readers_take_no_lock(tmp_path):
    writer, reader = _wrapper(tmp_path / "r.sqlite3"), _wrapper(tmp_path / "r.sqlite3")
    writer.cursor().execute("CREATE TABLE t (n integer)")
    _begin(writer)
    writer.cursor().execute("INSERT INTO t VALUES (1)")
    assert reader.cursor().execute("SELECT count(*) FROM t").fetchone()[0] == 0
    _end(writer)
    assert reader.cursor().execute("SELECT count(*) FROM t").fetchone()[0] == 1
    writer.close()
    reader.close()
