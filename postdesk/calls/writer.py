"""Group commit of CTI events inside one web process.

A PBX posts many small events at once, and each transaction's cost is mostly fixed: the
round trips, the statements' planning, the WAL flush at COMMIT. So the request threads
of a process do not write themselves: each hands its parsed event to the process's
writer (`POSTDESK_CTI_WRITER_THREADS` threads, 1 unless set) and waits. A writer thread
takes everything that is waiting (up to `max_batch`), stores it with
`services.cti_events_ingest` in one transaction, and then wakes each request with its
own result. While it commits, the next requests gather, so the batches grow with the
load and a lone event is written at once (no timer).

Every guarantee of the endpoint holds per event: a request is answered 200 only after
the COMMIT holding its event returned; a batch is stored whole or not at all; and if a
batch fails for any reason (a broken connection, a deadlock, one event the database or
the rebuild refuses), each of its events is retried alone, so one bad event fails only
its own request. Events are checked before they are handed over (`events.py`), so a bad
one rarely gets this far.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError, connection

from postdesk.calls import conf
from postdesk.calls.events import CtiEvent
from postdesk.calls.services import IngestResult, cti_event_ingest, cti_events_ingest
from postdesk.core.metrics import observe_cti_batch

logger = logging.getLogger(__name__)

MAX_BATCH = 64
ANSWER_TIMEOUT = 30.0


class _Waiter:
    """One request's wait: a lock taken at birth and released by the writer (C-level
    primitives only, on the hot path)."""

    __slots__ = ("arrived", "done", "error", "result")

    def __init__(self) -> None:
        self.arrived = time.time()  # for the screen-pop latency (core.metrics)
        self.done = threading.Lock()
        self.done.acquire()
        self.result: IngestResult | None = None
        self.error: BaseException | None = None

    def ok(self, result: IngestResult) -> None:
        self.result = result
        self.done.release()

    def fail(self, error: BaseException) -> None:
        self.error = error
        self.done.release()


_STOP = object()


class IngestWriter:
    def __init__(self, *, threads: int = 1, max_batch: int = MAX_BATCH) -> None:
        self.threads = max(threads, 1)
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._pid = 0
        self.batches = 0  # committed
        self.events = 0  # stored (or found stored already)
        self.retried_batches = 0  # failed as a whole, then retried an event at a time

    def submit(self, event: CtiEvent, *, timeout: float = ANSWER_TIMEOUT) -> IngestResult:
        """Store one event through the writer; returns once it is committed (or raises
        what storing it raised)."""
        if self._pid != os.getpid() or len(self._threads) < self.threads:
            self._ensure_threads()
        waiter = _Waiter()
        self._queue.put((event, waiter))
        if not waiter.done.acquire(timeout=timeout):
            # The event may still be stored later; the PBX's retry is then a duplicate.
            raise TimeoutError("the CTI writer did not answer in time")
        if waiter.error is not None:
            raise waiter.error
        assert waiter.result is not None
        return waiter.result

    def threads_started(self) -> bool:
        return len(self._threads) >= self.threads and self._pid == os.getpid()

    def waiting(self) -> int:
        """Events handed over and not yet taken into a batch."""
        return self._queue.qsize()

    def _ensure_threads(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first use, or a forked child: threads of its own
                self._pid = os.getpid()
                self._threads = []
            while len(self._threads) < self.threads:
                thread = threading.Thread(target=self._run, name="postdesk-cti-writer", daemon=True)
                thread.start()
                self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Let the threads finish what is waiting, close their connections and end."""
        for _thread in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return
                batch = [item]
                while len(batch) < self.max_batch:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        self._queue.put(_STOP)  # after this batch
                        break
                    batch.append(item)
                try:
                    self._write(batch)
                except BaseException as exc:  # never leave a request waiting
                    logger.exception("CTI writer failed")
                    for _event, waiter in batch:
                        if waiter.result is None and waiter.error is None:
                            waiter.fail(exc)
        finally:
            connection.close()

    def _write(self, batch: list[tuple[CtiEvent, _Waiter]]) -> None:
        try:
            results = cti_events_ingest(events=[event for event, _ in batch])
        except Exception as exc:
            # Whatever failed (a broken connection, a deadlock, one event the database or
            # the rebuild refuses), it must not fail another request's event: each event
            # is retried alone, so only the culprit's own request gets the error.
            _forget_connection_if_broken(exc)
            if len(batch) > 1:
                self.retried_batches += 1
                logger.warning("CTI batch of %d failed (%r); each event alone", len(batch), exc)
            for event, waiter in batch:
                try:
                    waiter.ok(cti_events_ingest(events=[event])[0])
                except Exception as single:
                    _forget_connection_if_broken(single)
                    waiter.fail(single)
                else:
                    self.batches += 1
                    self.events += 1
                    observe_cti_batch([event], [waiter.arrived])
            return
        self.batches += 1
        self.events += len(batch)
        observe_cti_batch([event for event, _ in batch], [waiter.arrived for _, waiter in batch])
        for (_event, waiter), result in zip(batch, results, strict=True):
            waiter.ok(result)


def _forget_connection_if_broken(exc: BaseException) -> None:
    """After a database error the retry connects afresh, whatever state the connection
    was left in (`transaction.atomic()` has rolled back already)."""
    if isinstance(exc, DatabaseError | InterfaceError | OperationalError):
        connection.close()


_writer: IngestWriter | None = None
_writer_lock = threading.Lock()


def writer() -> IngestWriter:
    """This process's writer (started on first use, in the process that uses it)."""
    global _writer
    if _writer is not None:
        return _writer
    with _writer_lock:
        if _writer is None:
            _writer = IngestWriter(threads=conf.cti_writer_threads())
        return _writer


def writer_stop() -> None:
    """Stop this process's writer, if it runs (its connection closed)."""
    global _writer
    with _writer_lock:
        if _writer is not None:
            _writer.stop()
        _writer = None


def cti_event_store(*, event: CtiEvent) -> IngestResult:
    """Store one event through this process's group-commit writer. Inside a transaction
    (a caller's, or a test's) the event joins that transaction instead: a writer thread
    could neither see its rows nor wait for its end."""
    if connection.in_atomic_block:
        return cti_event_ingest(event=event)
    return writer().submit(event)


__all__ = ["IngestWriter", "cti_event_store", "writer", "writer_stop"]
