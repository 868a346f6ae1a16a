from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from postdesk.core.csvimport import run_import
from postdesk.routing.services import service_areas_import


class Command(BaseCommand):
    help = (
        "Import service areas from a CSV file with the header "
        "unit_code,province,city,district,town,keywords."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="make the table exactly the file (only when no line is rejected)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        status = run_import(
            opts["file"],
            lambda data: service_areas_import(data=data, replace=opts["replace"]),
            as_json=opts["json"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        if status:
            raise SystemExit(status)
