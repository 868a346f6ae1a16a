"""`postdesk staffing --calls N --interval-minutes M --aht S --target-sl X
--target-seconds T --shrinkage Z [--json]`: Erlang C for one interval, the same object as
`GET /api/v1/workforce/erlang`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from postdesk.core.errors import ValidationFailed
from postdesk.workforce.staffing import staffing_for


def _number(raw: str, name: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise CommandError(f"--{name.replace('_', '-')}: enter a number") from None


class Command(BaseCommand):
    help = "Erlang C: the agents one interval needs for a service-level target."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--calls", required=True)
        parser.add_argument("--interval-minutes", dest="interval_minutes", default="30")
        parser.add_argument("--aht", required=True, help="average handling time (s)")
        parser.add_argument("--target-sl", dest="target_sl", default="0.8")
        parser.add_argument("--target-seconds", dest="target_seconds", default="20")
        parser.add_argument("--shrinkage", default="0")
        parser.add_argument("--json", action="store_true", help="print JSON only")

    def handle(self, *args: Any, **options: Any) -> None:
        names = ("calls", "interval_minutes", "aht", "target_sl", "target_seconds", "shrinkage")
        values = {name: _number(options[name], name) for name in names}
        try:
            result = staffing_for(**values)
        except ValidationFailed as exc:
            problems = "; ".join(
                f"--{name.replace('_', '-')}: {text}" for name, text in exc.fields.items()
            )
            raise CommandError(problems) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(
            f"traffic {result.traffic:.2f} Erlangs: {result.agents} agents, service level "
            f"{result.service_level * 100:.1f}%, ASA {result.asa_seconds:.1f} s, occupancy "
            f"{result.occupancy * 100:.1f}%, {result.scheduled} to schedule"
        )
