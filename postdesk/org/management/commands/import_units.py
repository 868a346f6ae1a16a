from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from postdesk.core.csvimport import run_import
from postdesk.org.services import units_import


class Command(BaseCommand):
    help = (
        "Import units from a CSV file with the header code,name,type,parent_code,phone "
        "(upsert by code; bad lines reported, good lines kept)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        status = run_import(
            opts["file"],
            lambda data: units_import(data=data),
            as_json=opts["json"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        if status:
            raise SystemExit(status)
