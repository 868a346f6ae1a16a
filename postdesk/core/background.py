"""Background work, one interface for every mode.

- "celery" (REDIS_URL set): `enqueue` publishes to Redis; Celery workers run the task.
- "embedded" (no Redis, `make run`): the same task code runs in a small in-process
  thread pool; `postdesk embedded_worker` runs the beat schedule.
- "sync": the task runs at once in the caller (used by unit tests).

Callers inside a transaction use `enqueue_on_commit`, so nothing leaves the process
before the data it refers to is committed. A failure to publish is logged, never
raised: work that matters is recorded in the outbox and the periodic sweep finds it.
Publishing is bounded (`core.bounded`): a dead or hung broker costs a request at most
about a second once, and then nothing while the breaker is open.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction

logger = logging.getLogger(__name__)


# A Celery task (`@shared_task`): `.run` is its plain function, `.apply_async` publishes it.
TaskLike = Any


_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()
_pending: set[Future[None]] = set()


def _get_pool() -> ThreadPoolExecutor:
    """The embedded pool; `POSTDESK_EMBEDDED_WORKERS` threads (2 unless set; the tests on
    an in-memory SQLite database, which cannot wait for a lock, use 1)."""
    global _pool, _pool_size
    size = int(getattr(settings, "POSTDESK_EMBEDDED_WORKERS", 2))
    with _pool_lock:
        if _pool is None or _pool_size != size:
            if _pool is not None:
                _pool.shutdown(wait=False)  # what it was given still runs
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="postdesk-bg")
            _pool_size = size
        return _pool


def _run_in_thread(task: TaskLike, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    close_old_connections()
    try:
        task.run(*args, **kwargs)
    except Exception:
        logger.exception("background task %s failed", task.name)
    finally:
        connections.close_all()


def enqueue(task: TaskLike, *args: Any, **kwargs: Any) -> None:
    mode = settings.BACKGROUND_MODE
    if mode == "celery":
        from postdesk.core.bounded import broker

        if not broker.allow():
            from postdesk.core.metrics import BROKER_SKIPPED

            BROKER_SKIPPED.inc()
            logger.info("broker unavailable: %s left for the sweep", task.name)
            return
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # broker down or hung: the periodic sweep will pick the work up
            broker.failed()
            from postdesk.core.metrics import BROKER_SKIPPED

            BROKER_SKIPPED.inc()
            logger.warning("could not publish %s; left for the sweep", task.name, exc_info=True)
        else:
            broker.succeeded()
    elif mode == "sync":
        try:
            task.run(*args, **kwargs)
        except Exception:
            logger.exception("background task %s failed", task.name)
    else:
        try:
            future = _get_pool().submit(_run_in_thread, task, args, kwargs)
        except RuntimeError:  # the pool is shutting down (process exit): the sweep retries
            logger.warning("embedded pool closed; %s left for the sweep", task.name)
            return
        _pending.add(future)
        future.add_done_callback(_pending.discard)


def enqueue_on_commit(task: TaskLike, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


def drain(timeout: float = 30.0) -> None:
    """Wait until the embedded pool has run everything submitted so far."""
    for future in list(_pending):
        future.result(timeout=timeout)
