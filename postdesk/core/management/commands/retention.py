"""`postdesk retention [--dry-run] [--json]`: anonymise the personal data kept longer
than its retention (`core.retention`); `--dry-run` only reports what would be."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from postdesk.core.retention import retention_run


class Command(BaseCommand):
    help = "Anonymise personal data older than its retention (PIPL); --dry-run reports only."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument("--json", action="store_true", help="one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        dry = bool(options["dry_run"])
        reports = retention_run(dry_run=dry)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"dry_run": dry, "kinds": [r.as_dict() for r in reports]}, ensure_ascii=False
                )
            )
            return
        verb = "would anonymise" if dry else "anonymised"
        for report in reports:
            if report.cutoff is None:
                self.stdout.write(f"{report.kind} ({report.label}): kept (retention 0 days)")
                continue
            done = report.found if dry else report.anonymised
            self.stdout.write(
                f"{report.kind} ({report.label}), older than {report.days} days "
                f"(before {report.cutoff}): {report.found} with personal data, {verb} {done}"
            )
