"""Every write of the tracking app: imports, result entry, and the refresh of the
derived tables (attempts, items) for the waybills touched."""

from __future__ import annotations

import csv
import io
import logging
import os
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postdesk.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from postdesk.core.exports import safe_row
from postdesk.org.models import User
from postdesk.tracking import codes, conf, loader, refresh
from postdesk.tracking.models import Attempt, Event, ImportRejection, ImportRun, Office
from postdesk.tracking.parsing import FileRejected, Format, Rejected, sniff_format
from postdesk.tracking.selectors import offices_in_scope
from postdesk.tracking.waybill import WaybillError, validate_waybill

logger = logging.getLogger(__name__)

RESULT_CHOICES = {"delivered": codes.DELIVERED, "failed": codes.DELIVERY_FAILED}


# ------------------------------------------------------------------------- refresh


def tracking_refresh(*, waybills: Iterable[str]) -> None:
    """Rebuild attempts and item summaries of ``waybills`` (in the caller's
    transaction, or its own)."""
    numbers = sorted(set(waybills))
    if not numbers:
        return
    with transaction.atomic():
        cursor = connection.cursor()
        refresh.create_touched_table(cursor)
        ph = "%s"
        for i in range(0, len(numbers), 500):
            chunk = numbers[i : i + 500]
            cursor.execute(
                "INSERT INTO tracking_touched (waybill_no) VALUES "  # noqa: S608 — placeholders only; values bound
                + ", ".join(f"({ph})" for _ in chunk),
                chunk,
            )
        refresh.refresh(cursor)


#: From this many new events on, a PostgreSQL refresh rebuilds items on a second
#: connection while this one rebuilds attempts, and the planner's statistics of the
#: tables are renewed before and after (a large load makes them stale).
PARALLEL_REFRESH_MIN_EVENTS = 200_000


def tracking_refresh_import(*, run: ImportRun) -> None:
    """Rebuild the derived rows for every waybill the run created events for."""
    refresh.tune_sqlite_connection()
    large = connection.vendor == "postgresql" and run.created >= PARALLEL_REFRESH_MIN_EVENTS
    if large:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tracking_event")

    def touched(cursor: Any) -> None:
        cursor.execute(
            "INSERT INTO tracking_touched (waybill_no) SELECT DISTINCT waybill_no "
            "FROM tracking_event WHERE id > %s AND import_run_id = %s",
            [run.start_event_id, run.pk],
        )

    with transaction.atomic():
        cursor = connection.cursor()
        refresh.create_touched_table(cursor)
        touched(cursor)
        refresh.refresh(cursor, items_beside=touched if large else None)
        refresh.link_offices(cursor)
        ImportRun.objects.filter(pk=run.pk).update(refreshed=True)
    run.refreshed = True
    if large:
        # The KPI, chase and parcel reads plan on these tables' statistics: renew them
        # now rather than when autovacuum comes round.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tracking_attempt, tracking_item")


# -------------------------------------------------------------------------- import


def _max_event_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM tracking_event")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _store_rejections(run: ImportRun, rejected: list[Rejected]) -> None:
    ImportRejection.objects.bulk_create(
        [ImportRejection(run=run, line=r.line, reason=r.reason, text=r.text) for r in rejected],
        batch_size=2000,
    )


def tracking_import_run(
    *, run: ImportRun, source: str | Path | IO[bytes] | None = None
) -> ImportRun:
    """Import the run's file now (the command and the background task both end here)."""
    fmt: Format = "jsonl" if run.format == ImportRun.Format.JSONL else "csv"
    src: str | Path | IO[bytes] = source if source is not None else run.path
    now = timezone.now()
    run.status = ImportRun.Status.RUNNING
    run.started_at = now
    run.start_event_id = _max_event_id()
    if isinstance(src, (str, Path)):
        run.size_bytes = os.path.getsize(src)
    run.save()
    try:
        if run.strict:
            if not isinstance(src, (str, Path)):
                raise ValueError("a strict import needs a file it can read twice")
            scanned = loader.scan(src, fmt=fmt, imported_at=now)
            if scanned.rejected:
                _store_rejections(run, scanned.rejected_lines)
                run.lines, run.rejected, run.created, run.duplicates = (
                    scanned.lines,
                    scanned.rejected,
                    0,
                    0,
                )
                run.bytes_read = scanned.bytes_read
                run.status = ImportRun.Status.FAILED
                run.message = str(_("Strict import: the whole file was rejected."))
                run.refreshed = True
                run.finished_at = timezone.now()
                run.save()
                return run

        def on_batch(totals: loader.LoadResult, rejected: list[Rejected]) -> None:
            if rejected:
                _store_rejections(run, rejected)
            ImportRun.objects.filter(pk=run.pk).update(
                lines=totals.lines,
                created=totals.created,
                duplicates=totals.duplicates,
                rejected=totals.rejected,
                bytes_read=totals.bytes_read,
            )

        started = time.perf_counter()
        result = loader.load(
            src, fmt=fmt, imported_at=now, run_id=run.pk, on_batch=on_batch, keep_rejected=0
        )
        run.timings["load"] = time.perf_counter() - started
        run.lines, run.created, run.duplicates, run.rejected = (
            result.lines,
            result.created,
            result.duplicates,
            result.rejected,
        )
        run.bytes_read = result.bytes_read
        run.status = ImportRun.Status.DONE
    except FileRejected as exc:
        run.status = ImportRun.Status.FAILED
        run.message = str(exc)
    except Exception as exc:
        logger.exception("tracking import %s failed", run.pk)
        run.status = ImportRun.Status.FAILED
        run.message = f"{type(exc).__name__}: {exc}"[:2000]
    run.save()
    started = time.perf_counter()
    try:
        tracking_refresh_import(run=run)
        run.timings["refresh"] = time.perf_counter() - started
    finally:
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at", "refreshed"])
    return run


def tracking_import(
    *,
    path: str | Path,
    fmt: Format | None = None,
    strict: bool = False,
    user: User | None = None,
) -> ImportRun:
    """Import a file from disk at once (the ``import_tracking`` command)."""
    path = Path(path)
    run = ImportRun.objects.create(
        created_by=user,
        filename=path.name,
        path=str(path),
        format=fmt or sniff_format(path.name),
        strict=strict,
        size_bytes=path.stat().st_size,
    )
    return tracking_import_run(run=run)


def tracking_import_create(
    *, upload: Any, fmt: str | None, strict: bool, user: User | None
) -> ImportRun:
    """Keep an uploaded file and queue its import on the ``imports`` queue."""
    from postdesk.core.background import enqueue_on_commit
    from postdesk.tracking.tasks import import_tracking_file

    name = Path(str(getattr(upload, "name", "upload.csv"))).name
    size = int(getattr(upload, "size", 0) or 0)
    if size > conf.import_max_bytes():
        raise PayloadTooLarge()
    chosen = fmt or sniff_format(name)
    if chosen not in ("csv", "jsonl"):
        raise ValidationFailed(fields={"format": _("Choose CSV or JSON Lines.")})
    if size == 0:
        raise ValidationFailed(fields={"file": _("The file is empty.")})
    folder = Path(settings.MEDIA_ROOT) / "tracking_imports"
    folder.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        run = ImportRun.objects.create(
            created_by=user, filename=name, format=chosen, strict=strict, size_bytes=size
        )
        target = folder / f"{run.pk}.{chosen}"
        with target.open("wb") as out:
            for piece in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
                out.write(piece)
        run.path = str(target)
        run.save(update_fields=["path"])
        enqueue_on_commit(import_tracking_file, run.pk)
    return run


def rejected_lines_csv(*, run: ImportRun) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["line", "reason", "text"])
    for line, reason, text in run.rejections.values_list("line", "reason", "text").iterator():
        writer.writerow(safe_row([line, reason, text]))
    return out.getvalue()


# ------------------------------------------------------------------- result entry


def delivery_result_record(
    *,
    user: User,
    waybill_no: str,
    result: str,
    event_time: datetime | None = None,
    reason: str = "",
    signer: str = "",
    office_code: str = "",
    now: datetime | None = None,
) -> Event:
    """An agent records a result phoned in by a courier: a DELIVERED or
    DELIVERY_FAILED event, recorded now by that agent, at the office of the item's open
    attempt (or the office given)."""
    now = now or timezone.now()
    errors: dict[str, Any] = {}
    try:
        number, _kind = validate_waybill(waybill_no)
    except WaybillError as exc:
        errors["waybill_no"] = _(exc.reason)
        number = ""
    code = RESULT_CHOICES.get(result)
    if code is None:
        errors["result"] = _("Choose delivered or failed.")
    reason, signer, office_code = reason.strip(), signer.strip(), office_code.strip()
    if code == codes.DELIVERY_FAILED and not reason:
        errors["reason"] = _("Give the reason the delivery failed.")
    if event_time is None:
        event_time = now
    if timezone.is_naive(event_time):
        errors["event_time"] = _("Enter a valid date and time.")
    elif event_time > now + timedelta(minutes=5):
        errors["event_time"] = _("The time cannot be in the future.")
    elif event_time < now - timedelta(days=31):
        errors["event_time"] = _("The time is more than a month ago.")
    if len(reason) > 200 or len(signer) > 64:
        errors["reason" if len(reason) > 200 else "signer"] = _("This value is too long.")
    if errors:
        raise ValidationFailed(fields=errors)
    # A scoped user (a branch handler, a county centre) records results only for its
    # own offices; anything else is as unknown to it as a waybill without events.
    offices = offices_in_scope(user=user)
    unknown = NotFound(fields={"waybill_no": _("No tracking events for this waybill number.")})
    if office_code and offices is not None and office_code not in offices:
        raise unknown
    if not office_code:
        attempts = Attempt.objects.filter(
            waybill_no=number, ofd_time__isnull=False, result_time__isnull=True
        )
        events = Event.objects.filter(waybill_no=number)
        if offices is not None:
            attempts = attempts.filter(office_code__in=offices)
            events = events.filter(office_code__in=offices)
        open_attempt = attempts.order_by("-ofd_time").first()
        if open_attempt is not None:
            office_code = open_attempt.office_code
        else:
            last = events.order_by("-event_time").first()
            if last is None:
                raise unknown
            office_code = last.office_code
    assert code is not None
    office = Office.objects.filter(code=office_code).first()
    operator = (user.agent_no or user.get_username())[:64]
    with transaction.atomic():
        if Event.objects.filter(
            waybill_no=number, event_code=code, event_time=event_time, office_code=office_code
        ).exists():
            raise Conflict(_("This result has been recorded already."))
        event = Event.objects.create(
            waybill_no=number,
            event_code=code,
            event_time=event_time,
            office_code=office_code,
            office_name=office.name if office else "",
            recorded_at=now,
            operator=operator,
            reason=reason if code == codes.DELIVERY_FAILED else "",
            signer=signer if code == codes.DELIVERED else "",
            description=str(_("Entered by the service centre")),
            entered_by=user,
        )
        tracking_refresh(waybills=[number])
    return event
