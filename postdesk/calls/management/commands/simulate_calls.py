"""`postdesk simulate_calls`: replay a realistic stretch of the centre's day through the
HTTP CTI API of a running server (for demos, tests and benchmarks)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from postdesk.calls.events import StoredEvent, build_call
from postdesk.calls.metrics import MetricCall, compute_metrics
from postdesk.calls.simulation import SimulationConfig, simulate

LOCAL = ZoneInfo("Asia/Shanghai")


def post(url: str, token: str, body: dict[str, Any]) -> int:
    if not url.startswith(("http://", "https://")):
        raise CommandError("--url must be an http(s) address")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def expected_metrics(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What the server should report for these events (the same pure code)."""
    by_call: dict[str, list[StoredEvent]] = {}
    for body in events:
        data: dict[str, Any] = {k: body[k] for k in ("direction", "queue") if k in body}
        if "agent" in body:
            data["agent"] = body["agent"]
        by_call.setdefault(body["call_id"], []).append(
            StoredEvent(
                event=body["event"], timestamp=datetime.fromisoformat(body["timestamp"]), data=data
            )
        )
    calls = []
    for stored in by_call.values():
        facts = build_call(stored, short_abandon_seconds=5.0)
        calls.append(
            MetricCall(
                started_at=facts.started_at,
                answered_at=facts.answered_at,
                ended_at=facts.ended_at,
                wrapup_at=facts.wrapup_at,
                agent_extension=facts.agent_extension,
                queue=facts.queue,
            )
        )
    return compute_metrics(calls, tz=LOCAL, breakdowns=False)


class Command(BaseCommand):
    help = "Replay a realistic day of calls through the CTI API of a running server."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="the server (or its /api/v1/cti/events URL)",
        )
        parser.add_argument("--token", required=True, help="a CTI token (cti_token --create)")
        parser.add_argument("--calls-per-hour", type=float, default=120.0)
        parser.add_argument(
            "--agents", type=int, default=8, help="agents answering (extensions 8001, 8002, …)"
        )
        parser.add_argument("--first-extension", type=int, default=8001)
        parser.add_argument(
            "--aht",
            type=float,
            default=180.0,
            help="average handle time, talk plus after-call work (s)",
        )
        parser.add_argument(
            "--wrapup", type=float, default=20.0, help="average after-call work (s)"
        )
        parser.add_argument(
            "--patience",
            type=float,
            default=60.0,
            help="callers' average patience in the queue (s)",
        )
        span = parser.add_mutually_exclusive_group()
        span.add_argument("--duration", type=float, help="simulated seconds")
        span.add_argument("--hours", type=float, help="simulated hours")
        parser.add_argument("--start", help="simulated start (ISO 8601; default: now)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--speed",
            type=float,
            default=1.0,
            help="time compression: 60 plays a minute a second; 0 = no waiting",
        )
        parser.add_argument(
            "--concurrency", type=int, default=4, help="parallel HTTP posts (only when --speed 0)"
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"].rstrip("/")
        if not url.endswith("/cti/events"):
            url += "/api/v1/cti/events"
        start = (
            datetime.fromisoformat(options["start"])
            if options["start"]
            else datetime.now(LOCAL).replace(microsecond=0)
        )
        if start.tzinfo is None:
            raise CommandError("--start needs a UTC offset, e.g. 2025-03-04T09:00:00+08:00")
        duration = (
            options["duration"]
            if options["duration"] is not None
            else (options["hours"] if options["hours"] is not None else 1.0) * 3600
        )
        if options["speed"] < 0 or options["agents"] < 1 or duration <= 0:
            raise CommandError("--speed ≥ 0, --agents ≥ 1 and a positive duration, please")
        config = SimulationConfig(
            start=start,
            duration_seconds=duration,
            calls_per_hour=options["calls_per_hour"],
            agents=options["agents"],
            aht=options["aht"],
            patience=options["patience"],
            wrapup=options["wrapup"],
            seed=options["seed"],
            first_extension=options["first_extension"],
        )
        events = simulate(config)
        statuses: Counter[int] = Counter()
        began = time.monotonic()
        if options["speed"] == 0:
            with ThreadPoolExecutor(max(options["concurrency"], 1)) as pool:
                statuses.update(pool.map(lambda b: post(url, options["token"], b), events))
        else:
            for body in events:
                at = (datetime.fromisoformat(body["timestamp"]) - start).total_seconds()
                wait = began + at / options["speed"] - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                statuses[post(url, options["token"], body)] += 1
        elapsed = time.monotonic() - began
        summary: dict[str, Any] = {
            "events": len(events),
            "calls": len({e["call_id"] for e in events}),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "seconds": round(elapsed, 2),
            "events_per_second": round(len(events) / elapsed, 1) if elapsed else None,
            "expected": expected_metrics(events),
        }
        if statuses.get(401):
            raise CommandError("the server refused the token (401)")
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            exp = summary["expected"]
            self.stdout.write(
                f"{summary['calls']} calls, {summary['events']} events in {summary['seconds']} s "
                f"({summary['events_per_second']}/s); HTTP {summary['statuses']}; expected: "
                f"offered {exp['offered']}, answered {exp['answered']}, abandoned "
                f"{exp['abandoned']}, service level {exp['service_level']}, ASA "
                f"{exp['asa_seconds']} s, AHT {exp['aht_seconds']} s"
            )
