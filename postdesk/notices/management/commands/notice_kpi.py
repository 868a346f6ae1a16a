from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from postdesk.core.errors import ValidationFailed
from postdesk.core.periods import parse_instant, parse_month
from postdesk.notices.selectors import notice_kpi
from postdesk.org.models import Role, User


class Command(BaseCommand):
    help = "The notice feedback target (投递、揽收信息通知反馈率) of a month, as of a time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--as-of", dest="as_of", default=None, help="ISO 8601 time")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            month = parse_month(opts["month"], default_current=False)
            as_of = parse_instant(opts["as_of"])
        except ValidationFailed as exc:
            raise CommandError(
                "; ".join(f"--{k.replace('_', '-')}: {v}" for k, v in exc.fields.items())
            ) from exc
        # the whole centre, as an administrator sees it
        reader = User(username="notice_kpi", role=Role.ADMIN, is_active=True)
        doc = {
            **notice_kpi(user=reader, month=month, as_of=as_of),
            "as_of": timezone.localtime(as_of).isoformat(),
        }
        if opts["json"]:
            self.stdout.write(json.dumps(doc, ensure_ascii=False))
            return

        def pct(value: float | None) -> str:
            return "—" if value is None else f"{value:.2%}"

        self.stdout.write(
            f"{doc['month']} as of {timezone.localtime(as_of):%Y-%m-%d %H:%M}: "
            f"{doc['issued']} issued, fed back {pct(doc['rate'])}, "
            f"in time {pct(doc['timely_rate'])}"
        )
        for row in doc["by_unit"]:
            self.stdout.write(
                f"  {row['unit']:12s} {row['issued']:8d} {pct(row['rate']):>8s}"
                f" {pct(row['timely_rate']):>8s}"
            )
