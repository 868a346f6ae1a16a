from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from postdesk.core.errors import DomainError
from postdesk.knowledge.services import articles_import_path


class Command(BaseCommand):
    help = (
        "Import knowledge-base articles from a Markdown file or a folder of them (front-matter "
        "with title, category, visibility, effective_from, …). Re-importing a title makes a "
        "new version; broken files are reported by name and reason."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = articles_import_path(path=Path(options["path"]))
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"created {len(report.created)}, updated {len(report.updated)}, "
            f"unchanged {len(report.unchanged)}, rejected {len(report.rejected)}"
        )
        for name, reason in report.rejected:
            self.stderr.write(f"  {name}: {reason}")
