from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from postdesk.knowledge.search import registered_kinds, reindex


class Command(BaseCommand):
    help = "Rebuild the search index of one kind of document (--kind), or of every kind."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--kind", action="append", help="article, workorder, … (repeatable)")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="processes that tokenise in parallel (default: up to 2)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = options["kind"] or registered_kinds()
        unknown = sorted(set(kinds) - set(registered_kinds()))
        if unknown:
            raise CommandError(
                f"unknown kind(s): {', '.join(unknown)}; known: {', '.join(registered_kinds())}"
            )
        for kind in kinds:
            started = time.monotonic()
            count = reindex(kind=kind, batch_size=options["batch_size"], workers=options["workers"])
            self.stdout.write(f"{kind}: {count} documents in {time.monotonic() - started:.1f}s")
