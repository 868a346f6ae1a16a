from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from postdesk.core.auth import STAFF_AUTH
from postdesk.core.models import AccessLogEntry
from postdesk.core.request import client_ip
from postdesk.org.exports import XLSX
from postdesk.org.request import staff_user
from postdesk.org.selectors import (
    AccessLogFilters,
    access_log_filters,
    access_log_label,
    access_log_list,
    units_visible,
)
from postdesk.org.services import access_log_export

router = Router(auth=STAFF_AUTH, tags=["organisation"])


class UnitOut(Schema):
    code: str
    name: str
    type: str
    parent: str | None
    is_active: bool


@router.get("/units", response=list[UnitOut], summary="Units visible to me")
def list_units(request: HttpRequest) -> list[dict[str, object]]:
    units = units_visible(user=staff_user(request)).select_related("parent")
    return [
        {
            "code": u.code,
            "name": u.name,
            "type": u.type,
            "parent": u.parent.code if u.parent else None,
            "is_active": u.is_active,
        }
        for u in units
    ]


# ------------------------------------------------------------------ the access log

access_log_router = Router(auth=STAFF_AUTH, tags=["access log"])


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class AccessLogQuery(Schema):
    user: str = Field("", max_length=150, description="the user's login name, exactly")
    subject_type: str = Field(
        "", max_length=50, description="customer, work_order, notice or access_log"
    )
    subject_id: str = Field("", max_length=64, description="the record's id or number")
    what: Literal["", "view", "export"] = Field("", description="a full view or an export")
    from_: str = Field("", alias="from", description="first local day, YYYY-MM-DD")
    to: str = Field("", description="last local day, YYYY-MM-DD (included)")


class AccessLogEntryOut(Schema):
    id: int
    at: datetime
    user: str
    subject_type: str
    subject_id: str
    subject_label: str = Field(description="masked: the log names whose data was seen")
    what: Literal["view", "export"]
    detail: str
    ip: str | None


class AccessLogPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[AccessLogEntryOut]


class AccessLogExportIn(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    user: str = Field("", max_length=150)
    subject_type: str = Field("", max_length=50)
    subject_id: str = Field("", max_length=64)
    what: Literal["", "view", "export"] = ""
    from_: str = Field("", alias="from", max_length=10)
    to: str = Field("", max_length=10)


def _filters(params: AccessLogQuery | AccessLogExportIn) -> AccessLogFilters:
    return access_log_filters(
        user=params.user,
        subject_type=params.subject_type,
        subject_id=params.subject_id,
        what=params.what,
        day_from=params.from_,
        day_to=params.to,
    )


def _entry(entry: AccessLogEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "at": timezone.localtime(entry.at),
        "user": entry.actor_username,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "subject_label": access_log_label(entry),
        "what": entry.what,
        "detail": entry.detail,
        "ip": entry.ip,
    }


@access_log_router.get(
    "",
    response={200: AccessLogPageOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="The access log of personal data (administrators and auditors)",
)
def list_access_log(
    request: HttpRequest, params: Query[AccessLogQuery], page: int = 1
) -> dict[str, Any]:
    """Every full view and export of personal data, newest first, 50 a page; `from` and
    `to` are local (Asia/Shanghai) days, both included."""
    result = access_log_list(user=staff_user(request), filters=_filters(params), page=page)
    return {
        "count": result.count,
        "page": result.page,
        "page_size": result.page_size,
        "results": [_entry(entry) for entry in result.results],
    }


@access_log_router.post(
    "/export",
    response={400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="The access log as a CSV or Excel file (itself logged)",
    openapi_extra={
        "responses": {
            200: {
                "description": "the filtered entries (at most 10,000), local times",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def export_access_log(request: HttpRequest, payload: AccessLogExportIn) -> HttpResponse:
    """The same filters as the list; a POST because it writes to the access log."""
    export = access_log_export(
        actor=staff_user(request),
        filters=_filters(payload),
        format=payload.format,
        ip=client_ip(request),
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
