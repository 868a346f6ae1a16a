"""REST API of background exports (/api/v1/exports/): ask for one, poll it, download it.
Thin: the rules are in `core/export_jobs.py`."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field

from postdesk.core import export_jobs
from postdesk.core.auth import STAFF_AUTH
from postdesk.core.models import Export

router = Router(auth=STAFF_AUTH, tags=["exports"])


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ExportIn(Schema):
    list: str = Field(max_length=30)
    filters: dict[str, Any] = Field(default_factory=dict)
    format: str = Field("xlsx", max_length=10)


class ExportCreated(Schema):
    id: int


class ExportOut(Schema):
    id: int
    list: str
    format: str
    status: str
    rows: int
    total: int | None
    progress: float
    download: str | None
    created_at: str
    finished_at: str | None
    expires_at: str | None

    @staticmethod
    def of(export: Export) -> ExportOut:
        def iso(value: Any) -> str | None:
            return value.isoformat() if value else None

        done = export.status == Export.Status.DONE
        return ExportOut(
            id=export.pk,
            list=export.list,
            format=export.format,
            status=export.status,
            rows=export.rows,
            total=export.total,
            progress=round(export.progress, 4),
            download=reverse("api-v1:export_download", args=[export.pk]) if done else None,
            created_at=export.created_at.isoformat(),
            finished_at=iso(export.finished_at),
            expires_at=iso(export.expires_at),
        )


class ExportListOut(Schema):
    results: list[ExportOut]


@router.post(
    "/",
    response={202: ExportCreated, 400: ErrorOut, 403: ErrorOut},
    summary="Export a list with its filters in the background",
)
def create(request: HttpRequest, payload: ExportIn) -> Status[ExportCreated]:
    export = export_jobs.export_request(
        actor=request.user, list_key=payload.list, filters=payload.filters, fmt=payload.format
    )
    return Status(202, ExportCreated(id=export.pk))


@router.get("/", response=ExportListOut, summary="My exports, the newest first")
def mine(request: HttpRequest) -> ExportListOut:
    return ExportListOut(
        results=[ExportOut.of(e) for e in export_jobs.exports_mine(user=request.user)]
    )


@router.get(
    "/{export_id}",
    response={200: ExportOut, 404: ErrorOut},
    url_name="export_detail",
    summary="One export: status, rows, progress, download",
)
def detail(request: HttpRequest, export_id: int) -> ExportOut:
    return ExportOut.of(export_jobs.export_get(user=request.user, export_id=export_id))


@router.get(
    "/{export_id}/download",
    response={200: None, 404: ErrorOut},
    url_name="export_download",
    summary="The finished export's file (its owner only)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The XLSX or CSV file",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def download(request: HttpRequest, export_id: int) -> FileResponse:
    export, path = export_jobs.export_file(user=request.user, export_id=export_id)
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if export.format == "xlsx"
        else "text/csv; charset=utf-8"
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=export_jobs.export_filename(export),
        content_type=content_type,
    )
