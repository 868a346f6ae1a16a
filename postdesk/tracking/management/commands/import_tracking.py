from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from postdesk.tracking.models import ImportRun
from postdesk.tracking.services import tracking_import


class Command(BaseCommand):
    help = "Import tracking events from a CSV or JSON Lines file (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--format", choices=["csv", "jsonl"], default=None)
        parser.add_argument(
            "--strict", action="store_true", help="reject the whole file on any bad line"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        try:
            run = tracking_import(path=opts["file"], fmt=opts["format"], strict=opts["strict"])
        except FileNotFoundError as exc:
            raise CommandError(f"no such file: {opts['file']}") from exc
        seconds = time.perf_counter() - started
        rejected = list(run.rejections.values("line", "reason", "text")[:1000])
        doc = {
            "import_id": run.pk,
            "status": run.status,
            "lines": run.lines,
            "created": run.created,
            "duplicates": run.duplicates,
            "rejected": run.rejected,
            "message": run.message,
            "seconds": round(seconds, 3),
            "timings": {k: round(v, 3) for k, v in run.timings.items()},
            "rejected_lines": rejected,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(doc, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{run.status}: {run.lines} lines, {run.created} created, "
                f"{run.duplicates} duplicates, {run.rejected} rejected in {seconds:.1f}s"
            )
            for r in rejected[:20]:
                self.stdout.write(f"  line {r['line']}: {r['reason']}")
            if run.message:
                self.stdout.write(run.message)
        if run.status == ImportRun.Status.FAILED:
            if opts["json"]:
                raise SystemExit(1)
            raise CommandError(run.message or "import failed")
