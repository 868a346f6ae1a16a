"""REST API of the workforce app: Erlang C (/api/v1/workforce/), internal reports
(/api/v1/internal-reports/) and shift handovers (/api/v1/handovers/). Thin: parse, call
one service or selector, shape the answer."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from postdesk.core.auth import STAFF_AUTH
from postdesk.workforce.staffing import staffing_for

router = Router(auth=STAFF_AUTH, tags=["workforce"])


class ErlangIn(Schema):
    calls: float
    interval_minutes: float = 30.0
    aht: float
    target_sl: float = 0.8
    target_seconds: float = 20.0
    shrinkage: float = 0.0


class ErlangOut(Schema):
    traffic: float
    agents: int
    service_level: float
    asa_seconds: float
    occupancy: float
    scheduled: int


@router.get(
    "/erlang",
    response={200: ErlangOut},
    summary="Erlang C: agents needed for one interval",
    description="traffic A = calls ÷ interval seconds × AHT; agents N = the least N > A "
    "with SL(N) = 1 − C(N, A)·e^(−(N−A)·T/AHT) ≥ target_sl; ASA = C·AHT ÷ (N − A); "
    "occupancy = A ÷ N; scheduled = ⌈N ÷ (1 − shrinkage)⌉. 400 names the bad field.",
)
def erlang(request: HttpRequest, params: Query[ErlangIn]) -> ErlangOut:
    result = staffing_for(
        calls=params.calls,
        interval_minutes=params.interval_minutes,
        aht=params.aht,
        target_sl=params.target_sl,
        target_seconds=params.target_seconds,
        shrinkage=params.shrinkage,
    )
    return ErlangOut(
        traffic=result.traffic,
        agents=result.agents,
        service_level=result.service_level,
        asa_seconds=result.asa_seconds,
        occupancy=result.occupancy,
        scheduled=result.scheduled,
    )
