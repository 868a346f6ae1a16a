from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from postdesk.core.embedded import run_scheduler


class Command(BaseCommand):
    help = "Run the periodic jobs and background tasks in-process (the embedded mode)."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        self.stdout.write("embedded worker running")
        from postdesk.core.liveness import heartbeat_start

        heartbeat_start()
        run_scheduler(stop)
