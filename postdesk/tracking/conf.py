"""Tracking settings, read from Django settings with these defaults (the settings
module need not name them):

- ``TRACKING_KPI_CUTOFF`` "20:00" — results after it get ``TRACKING_KPI_GRACE_HOURS``;
- ``TRACKING_KPI_GRACE_HOURS`` 2;
- ``TRACKING_ONLINE_TARGET`` 0.98 and ``TRACKING_TIMELY_TARGET`` 0.96;
- ``TRACKING_STALE_DAYS`` {"city": 3, "domestic": 7, "international": 21};
- ``TRACKING_CITY_PREFIX_LEN`` 4 — offices whose codes share this prefix are one city;
- ``TRACKING_IMPORT_MAX_BYTES`` 2 GiB — largest upload accepted.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.conf import settings

from postdesk.tracking.kpi_rules import SHANGHAI, KpiConfig

DEFAULT_STALE_DAYS = {"city": 3, "domestic": 7, "international": 21}


def kpi_config() -> KpiConfig:
    cutoff = str(getattr(settings, "TRACKING_KPI_CUTOFF", "20:00"))
    hours, _, minutes = cutoff.partition(":")
    return KpiConfig(
        cutoff=time(int(hours), int(minutes or 0)),
        grace=timedelta(hours=float(getattr(settings, "TRACKING_KPI_GRACE_HOURS", 2))),
        tz=SHANGHAI,
        online_target=float(getattr(settings, "TRACKING_ONLINE_TARGET", 0.98)),
        timely_target=float(getattr(settings, "TRACKING_TIMELY_TARGET", 0.96)),
    )


def stale_days() -> dict[str, int]:
    configured = getattr(settings, "TRACKING_STALE_DAYS", None) or {}
    return {**DEFAULT_STALE_DAYS, **{str(k): int(v) for k, v in dict(configured).items()}}


def import_max_bytes() -> int:
    return int(getattr(settings, "TRACKING_IMPORT_MAX_BYTES", 2 << 30))
