from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from postdesk.tracking.selectors import delivery_kpi


class Command(BaseCommand):
    help = "Delivery KPIs (上网率, 及时率) of a month, as of a time (default now)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--as-of", dest="as_of", default=None, help="ISO 8601 time")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", opts["month"]):
            raise CommandError("--month must be YYYY-MM")
        as_of = timezone.now()
        if opts["as_of"]:
            try:
                as_of = datetime.fromisoformat(opts["as_of"].replace("Z", "+00:00"))
            except ValueError as exc:
                raise CommandError("--as-of must be an ISO 8601 time") from exc
            if timezone.is_naive(as_of):
                as_of = timezone.make_aware(as_of, timezone.get_default_timezone())
        doc = delivery_kpi(month=opts["month"], as_of=as_of)
        if opts["json"]:
            self.stdout.write(json.dumps(doc, ensure_ascii=False))
            return
        c = doc["centre"]

        def fmt(r: float | None) -> str:
            return "—" if r is None else f"{r:.2%}"

        self.stdout.write(
            f"{opts['month']} as of {as_of:%Y-%m-%d %H:%M}: {c['attempts']} attempts, "
            f"online {fmt(c['online_rate'])}, timely {fmt(c['timely_rate'])}"
        )
        for code, v in doc["offices"].items():
            a = v["attempts"]
            self.stdout.write(
                f"  {code:10s} {a:8d}  {fmt(v['online'] / a if a else None):>8s}"
                f"  {fmt(v['timely'] / a if a else None):>8s}"
            )
