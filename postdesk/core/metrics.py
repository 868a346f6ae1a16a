"""Prometheus metrics (`prometheus_client`), exposed on `/metrics` behind the metrics
token (`POSTDESK_METRICS_TOKEN`, or an administrator's session).

Two kinds:
- **Counted as they happen**, in the process where they happen: requests by route
  (`RequestMetricsMiddleware`), CTI events, batch sizes and the screen-pop latency (the
  CTI writer), push publishing (`calls.push`). Under `postdesk serve` every gunicorn
  worker writes them to files in `PROMETHEUS_MULTIPROC_DIR` (prometheus_client's
  multi-process mode; `postdesk.cli` sets it up before anything imports the library),
  and `/metrics` in any worker sums them all.
- **Read when scraped** (`StateCollector`), so that they are true whichever process or
  host did the work (Celery workers never serve `/metrics`): the outbox backlog (pending,
  due, dead, oldest age), failed delivery attempts of the last hour by channel, Celery's
  queue lengths (bounded Redis reads), background processes seen.

Names are fixed (the Grafana dashboard in `deploy/grafana/postdesk.json` uses them):
see `METRIC_NAMES`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "postdesk_http_requests",
    "Requests answered, by route (the URL pattern), method and status code.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "postdesk_http_request_seconds",
    "Time to answer a request, by route and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
CTI_EVENTS = Counter(
    "postdesk_cti_events", "CTI events stored (or found stored already), by event.", ["event"]
)
CTI_BATCH = Histogram(
    "postdesk_cti_batch_size",
    "Events committed together by the CTI writer (group commit).",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)
SCREEN_POP = Histogram(
    "postdesk_screen_pop_seconds",
    "From a ringing event's arrival at the web process to its call committed and its pop "
    "handed to the push publisher.",
    buckets=LATENCY_BUCKETS,
)
PUSH_PUBLISH = Histogram(
    "postdesk_push_publish_seconds",
    "Time to hand a batch of push messages to the transport (Redis or Unix sockets).",
    buckets=LATENCY_BUCKETS,
)
PUSH_LOST = Counter(
    "postdesk_push_lost", "Push messages that could not be published (Redis away), owed a resync."
)
BROKER_SKIPPED = Counter(
    "postdesk_broker_publish_failures",
    "Background tasks that could not be queued (broker away); left for the outbox sweep.",
)

METRIC_NAMES = (
    "postdesk_http_requests_total",
    "postdesk_http_request_seconds",
    "postdesk_cti_events_total",
    "postdesk_cti_batch_size",
    "postdesk_screen_pop_seconds",
    "postdesk_push_publish_seconds",
    "postdesk_push_lost_total",
    "postdesk_broker_publish_failures_total",
    "postdesk_outbox_pending",
    "postdesk_outbox_due",
    "postdesk_outbox_dead",
    "postdesk_outbox_oldest_age_seconds",
    "postdesk_outbox_failed_attempts_last_hour",
    "postdesk_celery_queue_length",
    "postdesk_background_processes",
)


StateProvider = Callable[[], Iterable[Metric]]
_providers: dict[str, StateProvider] = {}


def register_state(name: str, provider: StateProvider) -> None:
    """An app adds metrics read at each scrape (as `notify` does for the outbox)."""
    _providers[name] = provider


class StateCollector(Collector):
    """What `/metrics` reads from the database and Redis at each scrape."""

    def collect(self) -> Iterator[Metric]:
        from postdesk.core import health, liveness

        queues = GaugeMetricFamily(
            "postdesk_celery_queue_length",
            "Tasks waiting in each Celery queue (absent when Redis does not answer).",
            labels=["queue"],
        )
        for queue, length in health.celery_queue_lengths().items():
            if length is not None:
                queues.add_metric([queue], length)
        yield queues
        processes = GaugeMetricFamily(
            "postdesk_background_processes",
            "Background worker processes that beat in the last minute.",
        )
        processes.add_metric([], len(liveness.workers_seen()))
        yield processes
        for _name, provider in sorted(_providers.items()):
            yield from provider()


_state = StateCollector()


def registry() -> CollectorRegistry:
    """The registry `/metrics` exposes: every process's counted metrics (multi-process
    mode) or this process's, plus the state read now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        scrape = CollectorRegistry()
        multiprocess.MultiProcessCollector(scrape)  # type: ignore[no-untyped-call]
    else:
        scrape = CollectorRegistry()
        for collector in list(REGISTRY._collector_to_names):
            if collector is not _state:
                scrape.register(collector)
    scrape.register(_state)
    return scrape


def exposition() -> tuple[bytes, str]:
    return generate_latest(registry()), CONTENT_TYPE_LATEST


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered (never the raw path: bounded label values)."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + str(match.route).lstrip("^").rstrip("$")
    # a path answered before any URL resolving (the CTI events middleware) names itself
    return str(getattr(request, "metrics_route", "unmatched"))


class RequestMetricsMiddleware:
    """Counts and times every request by route (first in the stack: it sees them all)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        took = time.perf_counter() - started
        route = route_of(request)
        method = request.method or ""
        HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        HTTP_LATENCY.labels(route, method).observe(took)
        return response


def observe_cti_batch(events: list[Any], arrivals: list[float]) -> None:
    """The CTI writer committed `events` (which arrived at `arrivals`, `time.time()`)."""
    CTI_BATCH.observe(len(events))
    now = time.time()
    for event, arrived in zip(events, arrivals, strict=True):
        CTI_EVENTS.labels(event.event).inc()
        if event.event == "newCall":
            SCREEN_POP.observe(max(now - arrived, 0.0))
