"""Demo calls: the morning of today's shift so far (the wallboard and call log have
something to show), some of them from demo customers' numbers (the screen pop finds
them), plus the default wrap-up codes. Idempotent: call ids are derived from the day."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils import timezone

from postdesk.calls.events import parse_cti_json
from postdesk.calls.models import Call, WrapupCode
from postdesk.calls.services import cti_event_ingest, wrapup_codes_ensure
from postdesk.calls.simulation import SimulationConfig, simulate
from postdesk.core.phones import display_phone
from postdesk.customers.models import CustomerPhone

LOCAL = ZoneInfo("Asia/Shanghai")


def seed(stdout: Any = None) -> None:
    wrapup_codes_ensure()
    now = timezone.now().astimezone(LOCAL)
    start = now.replace(hour=8, minute=0, second=0, microsecond=0)
    if now - start < timedelta(minutes=10):
        start -= timedelta(days=1)
    duration = min((now - start).total_seconds() - 60, 4 * 3600)
    tag = start.strftime("%Y%m%d")
    if Call.objects.filter(call_id__startswith=f"sim-{tag}-").exists():
        return
    # Agents 3–8 of the demo floor answer; agent1 and agent2 stay free for the demo.
    config = SimulationConfig(
        start=start,
        duration_seconds=duration,
        calls_per_hour=60,
        agents=6,
        first_extension=8003,
        aht=170,
        patience=50,
        seed=int(tag),
    )
    events = simulate(config)
    numbers = [
        display_phone(n)
        for n in CustomerPhone.objects.order_by("id").values_list("number", flat=True)[:40]
    ]
    rng = random.Random(int(tag))
    swap: dict[str, str] = {}
    created = 0
    for body in events:
        body["call_id"] = body["call_id"].replace(f"sim-{config.seed}-", f"sim-{tag}-", 1)
        if body["event"] == "newCall" and numbers and rng.random() < 0.4:
            swap[body["call_id"]] = rng.choice(numbers)
        if body["call_id"] in swap and body["event"] == "newCall":
            body["from"] = swap[body["call_id"]]
        if datetime.fromisoformat(body["timestamp"]) > now:
            continue
        created += cti_event_ingest(event=parse_cti_json(body)).created
    _wrap_up(tag, rng)
    if stdout is not None:
        stdout.write(f"demo calls: {Call.objects.count()} calls ({created} events added)")


def _wrap_up(tag: str, rng: random.Random) -> None:
    """The answered calls of the demo day carry the wrap-up code their agent chose."""
    codes = list(WrapupCode.objects.order_by("position").values_list("code", flat=True))
    if not codes:
        return
    weights = [max(1, 8 - i) for i in range(len(codes))]  # the first codes are the common ones
    chosen: dict[str, list[int]] = {}
    answered = Call.objects.filter(
        call_id__startswith=f"sim-{tag}-", ended_at__isnull=False, answered_at__isnull=False
    ).order_by("pk")
    for pk in answered.values_list("pk", flat=True):
        chosen.setdefault(rng.choices(codes, weights)[0], []).append(pk)
    for code, pks in chosen.items():
        Call.objects.filter(pk__in=pks).update(wrapup_code=code, wrapup_at=F("ended_at"))
