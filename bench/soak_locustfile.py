"""The users of `bench/soak.py` (locust): service-centre agents doing a realistic mix
through the REST API with their own API tokens, and a PBX posting CTI events at a
constant rate. Not run on its own: `soak.py` starts locust with this file and hands it
the tokens and the data in the JSON file named by `SOAK_DATA`; the HTTP status and the
response time of every request, by kind, are written to `SOAK_STATUSES` when locust quits."""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant_throughput, events, task

DATA: dict[str, Any] = json.loads(Path(os.environ["SOAK_DATA"]).read_text(encoding="utf-8"))
STATUSES: dict[str, Counter[int]] = defaultdict(Counter)
TIMES: dict[str, list[float]] = defaultdict(list)
FIRST: list[float] = []
_agents = itertools.count()
_pbx = itertools.count()

SEARCH_TERMS = ["包裹", "延误", "丢失", "破损", "投诉", "快递", "上海", "杭州"]
SUBTYPES = ["delay", "loss", "attitude"]


@events.request.add_listener
def _count(name: str, response_time: float, response: Any, **_: Any) -> None:
    if not FIRST:
        FIRST.append(time.time())
    STATUSES[name][getattr(response, "status_code", 0) or 0] += 1
    TIMES[name].append(round(response_time, 1))


@events.quitting.add_listener
def _dump(**_: Any) -> None:
    with open(os.environ["SOAK_STATUSES"], "w", encoding="utf-8") as fh:
        json.dump(
            {"first": FIRST[0] if FIRST else 0, "last": time.time(),
             "statuses": STATUSES, "times": TIMES}, fh,
        )  # fmt: skip


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(500000000, 999999999)}"


class Agent(FastHttpUser):
    """One agent at a desk: a request every 2–5 s (reading the screen, typing)."""

    wait_time = between(2, 5)
    weight = 1

    def on_start(self) -> None:
        n = next(_agents)
        self.rng = random.Random(n)
        self.base = DATA["nodes"][n % len(DATA["nodes"])]
        self.headers = {"Authorization": f"Token {DATA['tokens'][n % len(DATA['tokens'])]}"}
        self.phones: list[str] = []

    def _get(self, path: str, name: str) -> None:
        self.client.get(self.base + path, headers=self.headers, name=name)

    @task(10)
    def intake(self) -> None:
        phone = _phone(self.rng)
        self.phones = [*self.phones[-9:], phone]
        body = {
            "type": "complaint",
            "subtype": self.rng.choice(SUBTYPES),
            "title": f"包裹问题 {self.rng.randint(1, 99999)}",
            "description": "来电反映邮件多日未更新物流信息，请核实处理。",
            "caller_phone": phone,
            "caller_name": "张先生",
            "waybill_no": self.rng.choice(DATA["waybills"]),
        }
        self.client.post(
            self.base + "/api/v1/workorders/", json=body, headers=self.headers, name="intake"
        )

    @task(15)
    def list_orders(self) -> None:
        query = self.rng.choice(["?page=1", "?mine=true", "?status=new", "?overdue=true&page=1"])
        self._get("/api/v1/workorders/" + query, "list")

    @task(10)
    def search(self) -> None:
        term = self.rng.choice(
            [*SEARCH_TERMS, self.rng.choice(DATA["waybills"]), *self.phones[-1:]]
        )
        self._get(f"/api/v1/workorders/?q={term}", "search")

    @task(15)
    def knowledge(self) -> None:
        self._get(f"/api/v1/kb/search?q={self.rng.choice(DATA['questions'])}", "kb")

    @task(12)
    def tracking(self) -> None:
        self._get(f"/api/v1/tracking/items/{self.rng.choice(DATA['waybills'])}", "tracking")

    @task(4)
    def tracking_by_phone(self) -> None:
        number = self.rng.choice(self.phones or [_phone(self.rng)])
        self._get(f"/api/v1/tracking/by-phone?number={number}", "tracking-phone")

    @task(4)
    def result_entry(self) -> None:
        if self.rng.random() < 0.7:
            body = {"result": "delivered", "signer": "本人"}
        else:
            body = {"result": "failed", "reason": "收件人不在"}
        body["waybill_no"] = self.rng.choice(DATA["waybills"])
        self.client.post(
            self.base + "/api/v1/tracking/results", json=body, headers=self.headers, name="result"
        )


class Pbx(FastHttpUser):
    """One PBX trunk: synthetic calls, newCall → answer → hangup, at a constant rate;
    successive events go to the nodes in turn."""

    fixed_count = int(os.environ.get("SOAK_PBX_USERS", "100"))
    wait_time = constant_throughput(float(os.environ.get("SOAK_PBX_RATE", "3")))
    weight = 1

    def on_start(self) -> None:
        self.n = next(_pbx)
        self.rng = random.Random(10_000 + self.n)
        self.headers = {"Authorization": f"Token {DATA['cti']}"}
        self.calls = itertools.count()
        self.sent = itertools.count(self.n)
        self.events: list[dict[str, Any]] = []

    def _next_call(self) -> list[dict[str, Any]]:
        call_id = f"soak-{self.n}-{next(self.calls)}"
        extension = self.rng.choice(DATA["extensions"])
        return [
            {"event": "newCall", "call_id": call_id, "direction": "in",
             "from": _phone(self.rng), "to": "11185"},
            {"event": "answer", "call_id": call_id, "agent": extension},
            {"event": "hangup", "call_id": call_id, "cause": "normalClearing"},
        ]  # fmt: skip

    @task
    def post_event(self) -> None:
        if not self.events:
            self.events = self._next_call()
        event = {**self.events.pop(0), "timestamp": datetime.now(UTC).isoformat()}
        # a call's events alternate between the nodes (as behind a load balancer)
        base = DATA["nodes"][next(self.sent) % len(DATA["nodes"])]
        self.client.post(base + "/api/v1/cti/events", json=event, headers=self.headers, name="cti")
