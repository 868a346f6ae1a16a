"""The SQLite backend queues writers with flock: the second writer starts the moment
the first commits (or rolls back), never while it is still writing."""

from __future__ import annotations

import threading
import time

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


@pytest.mark.parametrize("commit", [True, False])
def test_a_second_writer_waits_for_the_first_then_goes_at_once(tmp_path, commit):
    first = _wrapper(tmp_path / "w.sqlite3")
    first.cursor().execute("CREATE TABLE t (n integer)")
    _begin(first)
    first.cursor().execute("INSERT INTO t VALUES (1)")
    began: list[float] = []

    def write() -> None:
        second = _wrapper(tmp_path / "w.sqlite3")  # a connection belongs to its thread
        _begin(second)  # queues on the lock file, not in SQLite's busy handler
        began.append(time.monotonic())
        second.cursor().execute("INSERT INTO t VALUES (2)")
        _end(second)
        second.close()

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.24)  # SQLite's own busy handler would next look at 328 ms
    assert not began, "the second writer started while the first held the lock"
    ended = time.monotonic()
    _end(first, commit)
    thread.join(5)
    assert began and began[0] - ended < 0.05  # woken at once, not after a busy-handler nap
    rows = sorted(r[0] for r in first.cursor().execute("SELECT n FROM t").fetchall())
    assert rows == ([1, 2] if commit else [2])
    first.close()
    assert not first._writer_locked and first._writer_fd is None


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
