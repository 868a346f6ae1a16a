"""`postdesk serve`: the production-grade server (gunicorn) and, in the embedded mode, the
embedded background worker beside it.

Ordinary views run on gunicorn's gthread workers (WSGI). The long-lived push connections
(`/calls/stream/`, server-sent events) are taken off those threads by the worker class
the settings name (`POSTDESK_WEB_WORKER_CLASS`, the calls app's push worker) and held by
one asyncio loop per process, up
to `POSTDESK_PUSH_MAX_STREAMS` each; messages reach every process through Redis pub/sub
(REDIS_URL) or, without Redis, through Unix datagram sockets under var/push/."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run postdesk with gunicorn (and the embedded worker when there is no Redis)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the embedded background worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        worker: subprocess.Popen[bytes] | None = None
        if settings.BACKGROUND_MODE == "embedded" and not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "postdesk.cli", "embedded_worker"])

        metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")  # made by postdesk.cli
        bind = f"{options['host']}:{options['port']}"
        config = {
            "bind": bind,
            "workers": options["workers"],
            "threads": options["threads"],
            "worker_class": settings.POSTDESK_WEB_WORKER_CLASS,
            "timeout": 60,
            "graceful_timeout": 10,
            # idle keep-alive longer than a load balancer's (60 s is common): with
            # gunicorn's 2 s a client's POST on a connection the server just closed fails
            # and is not retried (the soak bench saw it); 0 turns keep-alive off
            "keepalive": int(os.environ.get("WEB_KEEPALIVE", "75")),
            # gunicorn 27's control socket has one path per machine; postdesk has no use
            # for it, and several serve processes on one machine would share it
            "control_socket_disable": True,
            "accesslog": os.environ.get("ACCESS_LOG", "-") or None,
            # the CTI token in Zammad's path never reaches the access log
            "logger_class": "postdesk.core.logs.AccessLogger",
            "child_exit": _child_exit if metrics_dir else None,
        }

        class App(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in config.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self) -> Any:
                from postdesk.wsgi import application

                return application

        self.stdout.write(f"postdesk on http://{bind}/  (background: {settings.BACKGROUND_MODE})")
        try:
            App().run()
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
            ours = settings.VAR_DIR / "prometheus"
            if metrics_dir and os.path.dirname(metrics_dir) == str(ours):
                import shutil

                shutil.rmtree(metrics_dir, ignore_errors=True)  # made for this run by the cli


def _child_exit(_server: Any, worker: Any) -> None:
    """A gunicorn worker ended: its live gauges leave the sum (multi-process metrics)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
