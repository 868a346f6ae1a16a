"""`postdesk call_metrics --date YYYY-MM-DD [--json]` (or `--from`/`--to`): the call
metrics of local days, the same object as `GET /api/v1/reports/calls`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from postdesk.calls.selectors import call_metrics_for_days_centre
from postdesk.core.errors import ValidationFailed, command_error
from postdesk.core.periods import parse_day


def _day(raw: str, name: str) -> date:
    try:
        return parse_day(raw, field=name)
    except ValidationFailed as exc:
        raise command_error(exc) from None


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} s"


class Command(BaseCommand):
    help = "Print the call metrics (offered, answered, service level, ASA, AHT…) of a period."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date")
        parser.add_argument("--from", dest="first")
        parser.add_argument("--to", dest="last")
        parser.add_argument("--json", action="store_true", help="print JSON only")
        parser.add_argument("--sl", type=float, help="service-level threshold (s)")
        parser.add_argument("--short", type=float, help="short-abandon time (s)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            first = last = _day(options["date"], "date")
        elif options["first"] and options["last"]:
            first, last = _day(options["first"], "from"), _day(options["last"], "to")
        else:
            raise CommandError("give --date, or --from and --to")
        result = call_metrics_for_days_centre(
            first=first,
            last=last,
            service_level_seconds=options["sl"],
            short_abandon_seconds=options["short"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"{first} – {last}: offered {result['offered']}, answered {result['answered']}, "
            f"abandoned {result['abandoned']} (short {result['short_abandoned']}), "
            f"service level {pct(result['service_level'])}, abandonment "
            f"{pct(result['abandonment_rate'])}, ASA {secs(result['asa_seconds'])}, "
            f"AHT {secs(result['aht_seconds'])}"
        )
        for ext, count in result["answered_per_agent"].items():
            self.stdout.write(f"  {ext}: {count} answered")
