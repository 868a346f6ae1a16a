"""REST API of routing (/api/v1/routing/): which unit serves an address."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema

from postdesk.core.auth import STAFF_AUTH
from postdesk.routing.selectors import route_address

router = Router(auth=STAFF_AUTH, tags=["routing"])


class ResolveIn(Schema):
    address: str


class ParsedOut(Schema):
    province: str
    city: str
    district: str
    town: str
    rest: str


class RuleOut(Schema):
    id: int
    unit: str
    province: str
    city: str
    district: str
    town: str
    keywords: list[str]
    specificity: int


class ResolveOut(Schema):
    status: Literal["matched", "ambiguous", "unmatched"]
    unit: str | None
    candidates: list[str]
    parsed: ParsedOut
    rule: RuleOut | None
    reason: Literal["won", "tie", "no_district", "uncertain_place", "no_rule"]


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


@router.post(
    "/resolve",
    response={200: ResolveOut, 400: ErrorOut, 401: ErrorOut},
    summary="The unit that serves an address (matched, ambiguous or unmatched)",
    description=(
        "Reads the address (province, city, district, town, rest; missing upper levels "
        "inferred) and applies the service-area rule: the most specific matching rule "
        "wins; a tie between units is `ambiguous`; no match, or no district, "
        "`unmatched`. 400 `validation_error` (field `address`) for an empty address, one "
        "over 200 characters or one with control characters."
    ),
)
def resolve(request: HttpRequest, payload: ResolveIn) -> dict[str, Any]:
    return route_address(address=payload.address).as_dict()
