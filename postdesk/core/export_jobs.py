"""Background exports of any list (issue 17): asked for with the list's current filters,
made by a job (`core.tasks.export_run`) that streams the rows to a file, downloaded by
the owner only, deleted after `EXPORT_KEEP_DAYS`.

- `export_request` checks everything before anything is written — the list (registered by
  its app, `core/exportlists.py`), the format, the user's right to export it, the filters
  through the list's own parsing — then stores the `Export` and queues the job after
  commit. A bad request is a 400 and queues nothing.
- `export_run` reads the rows with the owner's scope, in chunks, into the streaming writer
  (`core/exports.py`: every cell defused), and updates the progress every
  `PROGRESS_EVERY` rows; memory stays flat however many rows. An export that holds
  personal data in full is written to the access log once, with its list, filters and
  row count, when its file is made.
- `exports_expire` (the nightly retention job) deletes the files older than the keep.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.core.exportlists import export_list_get
from postdesk.core.exports import open_sink
from postdesk.core.models import Export
from postdesk.core.services import access_log_record

logger = logging.getLogger(__name__)

EXPORT_KEEP_DAYS = 7
PROGRESS_EVERY = 5000
#: rows handed to the writer at a time
WRITE_CHUNK = 1000
FORMATS = ("xlsx", "csv")
#: an export still queued or running after this long is taken as lost (a killed worker)
STALE_AFTER = timedelta(hours=6)


def export_dir() -> Path:
    directory = Path(settings.MEDIA_ROOT) / "exports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


# --- selectors -------------------------------------------------------------------------


def export_get(*, user: Any, export_id: int) -> Export:
    """The user's own export; anybody else's is not found (404), as a missing one."""
    export = Export.objects.filter(pk=export_id, owner_id=user.pk).first()
    if export is None:
        raise NotFound()
    return export


def exports_mine(*, user: Any, limit: int = 50) -> list[Export]:
    return list(Export.objects.filter(owner_id=user.pk).order_by("-created_at", "-id")[:limit])


def export_file(*, user: Any, export_id: int) -> tuple[Export, Path]:
    """The file of the user's finished export (404 while it is not there)."""
    export = export_get(user=user, export_id=export_id)
    path = Path(export.path) if export.path else None
    if export.status != Export.Status.DONE or path is None or not path.is_file():
        raise NotFound(_("This export has no file (not finished, or expired)."))
    return export, path


def export_filename(export: Export) -> str:
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    return f"{export.list}-{stamp}.{export.format}"


# --- services --------------------------------------------------------------------------


def export_request(*, actor: Any, list_key: str, filters: Any, fmt: str) -> Export:
    """Check the request, store it, queue the job after commit."""
    errors: dict[str, str] = {}
    if fmt not in FORMATS:
        errors["format"] = _("Choose xlsx or csv.")
    if not isinstance(filters, dict):
        errors["filters"] = _("Give the filters as an object.")
    if errors:
        raise ValidationFailed(fields=errors)
    export_list = export_list_get(list_key)
    if not export_list.allowed(actor):
        raise PermissionDenied(_("Your role may not export this list."))
    export_list.parse_filters(filters)  # a bad filter: 400 with its field, nothing stored
    from postdesk.core.background import enqueue_on_commit
    from postdesk.core.tasks import export_run as export_task

    with transaction.atomic():
        export = Export.objects.create(
            owner=actor, list=list_key, filters=filters, format=fmt, status=Export.Status.QUEUED
        )
        enqueue_on_commit(export_task, export.pk)
    return export


def export_run(*, export_id: int) -> str:
    """Make the file of a queued export; answers its final status."""
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
        status=Export.Status.RUNNING
    )
    if not claimed:
        return "skipped"  # done, failed, expired, or another worker has it
    export = Export.objects.select_related("owner").get(pk=export_id)
    user = export.owner
    # headers and labels in the owner's language, as their pages
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        return _make(export, user)


def _make(export: Export, user: Any) -> str:
    export_id = export.pk
    path = export_dir() / f"{export.pk}.{export.format}"
    try:
        export_list = export_list_get(export.list)
        if not export_list.allowed(user):  # the role may have changed since
            raise PermissionDenied(_("Your role may not export this list."))
        filters = export_list.parse_filters(export.filters)
        total = export_list.count(user, filters)
        Export.objects.filter(pk=export.pk).update(total=total)
        sink = open_sink(export.format, str(path), sheet=str(export_list.label))
        done = 0
        try:
            sink.header([str(header) for header in export_list.columns(user)])
            rows = iter(export_list.rows(user, filters))
            # whole chunks to the writer (`writerows` for a CSV); the progress after
            # every PROGRESS_EVERY rows
            while written := sink.rows(islice(rows, min(WRITE_CHUNK, PROGRESS_EVERY))):
                before, done = done, done + written
                if done // PROGRESS_EVERY > before // PROGRESS_EVERY:
                    Export.objects.filter(pk=export.pk).update(
                        rows=done, progress=min(done / total, 0.99) if total else 0.0
                    )
        finally:
            sink.close()
    except Exception as exc:
        path.unlink(missing_ok=True)
        logger.exception("export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED,
            finished_at=timezone.now(),
            error=str(getattr(exc, "message", "")) or type(exc).__name__,
        )
        return Export.Status.FAILED
    now = timezone.now()
    with transaction.atomic():
        if export_list.full(user):
            access_log_record(
                actor=user,
                subject_type=export_list.subject_type,
                subjects=[(f"export:{export.pk}", _("%(rows)d rows") % {"rows": done})],
                what="export",
                detail=f"{export.list} {export.filters}"[:200],
            )
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.DONE,
            rows=done,
            progress=1.0,
            path=str(path),
            finished_at=now,
            expires_at=now + timedelta(days=EXPORT_KEEP_DAYS),
        )
    return Export.Status.DONE


def _expired(now: datetime) -> QuerySet[Export]:
    return Export.objects.filter(status=Export.Status.DONE, expires_at__lte=now)


def exports_expire(*, now: datetime | None = None) -> int:
    """Delete the files past their keep (and mark them expired); an export stuck queued
    or running far longer than any export takes is marked failed. Idempotent."""
    now = now or timezone.now()
    count = 0
    for export in _expired(now).only("pk", "path"):
        if export.path:
            Path(export.path).unlink(missing_ok=True)
        Export.objects.filter(pk=export.pk).update(status=Export.Status.EXPIRED, path="")
        count += 1
    Export.objects.filter(
        status__in=[Export.Status.QUEUED, Export.Status.RUNNING], created_at__lte=now - STALE_AFTER
    ).update(status=Export.Status.FAILED, finished_at=now, error="lost")
    return count
