from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from postdesk.core.errors import ValidationFailed, command_error
from postdesk.core.periods import parse_instant, parse_month
from postdesk.tracking.selectors import delivery_kpi_centre


class Command(BaseCommand):
    help = "Delivery KPIs (上网率, 及时率) of a month, as of a time (default now)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--as-of", dest="as_of", default=None, help="ISO 8601 time")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            month = parse_month(opts["month"], default_current=False)
            as_of = parse_instant(opts["as_of"])
        except ValidationFailed as exc:
            raise command_error(exc) from None
        doc = delivery_kpi_centre(month=month, as_of=as_of)
        if opts["json"]:
            self.stdout.write(json.dumps(doc, ensure_ascii=False))
            return
        c = doc["centre"]

        def fmt(r: float | None) -> str:
            return "—" if r is None else f"{r:.2%}"

        self.stdout.write(
            f"{month} as of {as_of:%Y-%m-%d %H:%M}: {c['attempts']} attempts, "
            f"online {fmt(c['online_rate'])}, timely {fmt(c['timely_rate'])}"
        )
        for code, v in doc["offices"].items():
            a = v["attempts"]
            self.stdout.write(
                f"  {code:10s} {a:8d}  {fmt(v['online'] / a if a else None):>8s}"
                f"  {fmt(v['timely'] / a if a else None):>8s}"
            )
