"""The reports app's writes: the archive of month-end summaries.

`month_summary_generate` builds the centre's summary of a month as of now (the same
document `/reports/` shows, read by `selectors.centre_reader`), renders its PDF and its
Excel, stores the three as a new immutable version, and — in the same transaction —
queues the e-mail with both files to the directors and team leads (and the bell), so a
stored summary is always mailed and a mailed one always stored. Rendering happens before
the transaction opens: it holds no lock while the files are drawn.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postdesk.core.background import enqueue_on_commit
from postdesk.core.errors import PermissionDenied, ValidationFailed
from postdesk.core.periods import Month
from postdesk.notify.services import absolute, email_attachment, email_record, notify_users
from postdesk.org.models import User
from postdesk.reports.excel import month_report_xlsx
from postdesk.reports.models import MonthSummary
from postdesk.reports.pdf import render_month_pdf
from postdesk.reports.rules import can_generate_month_summary
from postdesk.reports.selectors import centre_reader, month_report, summary_recipients

logger = logging.getLogger(__name__)

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ARCHIVE_LINK = "/reports/archive/"
# how often a version number taken by a concurrent generation is tried again
_VERSION_TRIES = 5


def summary_filename(summary: MonthSummary, extension: str) -> str:
    return f"postdesk-{summary.month}-v{summary.version}.{extension}"


def _check_month(month: Month) -> None:
    if month > Month.current():
        raise ValidationFailed(fields={"month": gettext_lazy("This month has not begun yet.")})


def month_summary_request(*, by: User, month: Month) -> None:
    """Ask for a new version of `month`'s summary now: generated in the background
    (queue "reports") after the caller's transaction commits. Directors and
    administrators only; a month that has not begun is refused."""
    if not can_generate_month_summary(by):
        raise PermissionDenied()
    _check_month(month)
    from postdesk.reports.tasks import month_summary_generate as task

    enqueue_on_commit(task, str(month), by.pk)


def _month_label(month: Month) -> str:
    return str(date_format(month.first_day, "YEAR_MONTH_FORMAT"))


def _mail_text(report: dict[str, Any], month: Month, version: int, as_of: datetime) -> str:
    lines = [
        _("The month-end summary of %(month)s (version %(version)s), figures as of %(as_of)s.")
        % {
            "month": _month_label(month),
            "version": version,
            "as_of": date_format(timezone.localtime(as_of), "DATETIME_FORMAT"),
        },
        "",
        _("Quality targets:"),
    ]
    for target in report["targets"]:
        lines.append(
            _("%(label)s: %(value)s (target %(target)s)")
            % {
                "label": target["label"],
                "value": target["value_pct"],
                "target": target["target_pct"],
            }
        )
    lines += [
        "",
        _("The PDF and the Excel workbook are attached; every version is in the archive:"),
        absolute(ARCHIVE_LINK),
    ]
    return "\n".join(lines)


def _store(
    *,
    month: Month,
    by: User | None,
    as_of: datetime,
    report: dict[str, Any],
    pdf: bytes,
    xlsx: bytes,
    first_only: bool,
) -> MonthSummary | None:
    """The next version, its e-mail and its notification, in one transaction."""
    for _try in range(_VERSION_TRIES):
        try:
            with transaction.atomic():
                taken = MonthSummary.objects.filter(month=str(month)).aggregate(Max("version"))
                latest = taken["version__max"] or 0
                if first_only and latest:
                    return None
                summary = MonthSummary(
                    month=str(month),
                    version=latest + 1,
                    as_of=as_of,
                    created_at=timezone.now(),
                    created_by=by,
                    report=report,
                    pdf=pdf,
                    xlsx=xlsx,
                )
                summary.save()
                _deliver(summary, month=month, report=report)
                return summary
        except IntegrityError:  # a concurrent generation took this version number
            if first_only:
                return None
            logger.info("version %s of %s taken; trying the next", latest + 1, month)
    raise RuntimeError(f"no free version number for {month} after {_VERSION_TRIES} tries")


def _deliver(summary: MonthSummary, *, month: Month, report: dict[str, Any]) -> None:
    recipients = summary_recipients()
    key = f"reports:month-summary:{summary.month}:v{summary.version}"
    subject = _("Month-end summary %(month)s (version %(version)s)") % {
        "month": _month_label(month),
        "version": summary.version,
    }
    email_record(
        key=key,
        to=[user.email for user in recipients],
        subject=subject,
        body=_mail_text(report, month, summary.version, summary.as_of),
        attachments=[
            email_attachment(
                filename=summary_filename(summary, "pdf"), content=bytes(summary.pdf), mimetype=PDF
            ),
            email_attachment(
                filename=summary_filename(summary, "xlsx"),
                content=bytes(summary.xlsx),
                mimetype=XLSX,
            ),
        ],
    )
    notify_users(
        users=recipients,
        key=key,
        title=subject,
        body=_("The PDF and the Excel workbook are in the archive."),
        link=ARCHIVE_LINK,
    )


def month_summary_generate(
    *, month: Month, by: User | None = None, first_only: bool = False
) -> MonthSummary | None:
    """Store a new version of `month`'s summary as of now — the document, its PDF and
    its Excel — and mail it (PDF and Excel attached) to the directors and team leads.

    `by` is who asked (None: the monthly schedule). `first_only` (the schedule): make
    version 1 only, and nothing (None) when the month has a version already. The files
    are in the centre's language whatever the caller's."""
    if by is not None and not can_generate_month_summary(by):
        raise PermissionDenied()
    _check_month(month)
    if first_only and MonthSummary.objects.filter(month=str(month)).exists():
        return None
    with translation.override(settings.LANGUAGE_CODE):
        as_of = timezone.now()
        report = month_report(user=centre_reader(), month=month, as_of=as_of)
        pdf = render_month_pdf(report)
        xlsx = month_report_xlsx(report)
        return _store(
            month=month,
            by=by,
            as_of=as_of,
            report=report,
            pdf=pdf,
            xlsx=xlsx,
            first_only=first_only,
        )
