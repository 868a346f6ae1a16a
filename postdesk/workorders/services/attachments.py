"""Attachments on orders and feedback: type checked by content (magic bytes, not the
name), size limited, stored under MEDIA_ROOT with generated names (no path from the
client ever reaches the file system)."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import IO

import filetype
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import NotFound, PayloadTooLarge, PermissionDenied, UnsupportedMedia
from postdesk.org.models import User
from postdesk.workorders.models import Attachment, WorkOrder, WorkOrderEvent
from postdesk.workorders.services._common import can_see, role_of

#: MIME type found in the content -> stored extension. Nothing executable, no HTML/SVG.
ALLOWED: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "audio/mpeg": "mp3",
    "audio/x-wav": "wav",
    "audio/amr": "amr",
    "text/plain": "txt",
}
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})
MAX_FILES_PER_ORDER = 30


def max_bytes() -> int:
    return int(getattr(settings, "POSTDESK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def attachments_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "workorders"


def _sniff(head: bytes) -> str | None:
    kind = filetype.guess(head)
    if kind is not None:
        mime = str(kind.mime)
        if mime == "audio/wav":
            mime = "audio/x-wav"
        return mime if mime in ALLOWED else None
    # Plain text has no magic number: accept UTF-8 without control characters or markup.
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ch in text for ch in "\x00\x1b") or "<" in text[:1024].lstrip()[:1]:
        return None
    return "text/plain"


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip().strip(".")
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '/\\:*?"<>|')
    return cleaned[:200] or "file"


def attachment_add(
    *,
    actor: User,
    order: WorkOrder,
    file: IO[bytes],
    name: str,
    size: int | None = None,
    event: WorkOrderEvent | None = None,
) -> Attachment:
    """Store one uploaded file for `order`; refuse oversize or forbidden content."""
    if not can_see(actor, order):
        raise NotFound()
    if role_of(actor) == "admin":
        raise PermissionDenied()
    limit = max_bytes()
    if size is not None and size > limit:
        raise PayloadTooLarge(
            _("A file may be at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            fields={"file": _("This file is too large.")},
        )
    data = file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(
            _("A file may be at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            fields={"file": _("This file is too large.")},
        )
    if not data:
        raise UnsupportedMedia(fields={"file": _("The file is empty.")})
    mime = _sniff(data[:8192])
    if mime is None:
        raise UnsupportedMedia(
            _(
                "Only pictures, PDF, Word/Excel documents, sound recordings and plain text "
                "are accepted."
            ),
            fields={"file": _("This kind of file is not accepted.")},
        )
    if order.attachments.count() >= MAX_FILES_PER_ORDER:
        raise UnsupportedMedia(fields={"file": _("This order has too many files already.")})
    now = timezone.localtime()
    stored = f"{now:%Y/%m}/{secrets.token_hex(16)}.{ALLOWED[mime]}"
    path = attachments_root() / stored
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:
        handle.write(data)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                order=order,
                event=event,
                original_name=_safe_name(name),
                stored_name=stored,
                content_type=mime,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=actor,
            )
            WorkOrderEvent.objects.create(
                order=order,
                at=timezone.now(),
                actor=actor,
                action="note",
                from_status=order.status,
                to_status=order.status,
                text=_("Attached %(name)s") % {"name": attachment.original_name},
                data={"attachment": attachment.pk},
            )
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    root = attachments_root().resolve()
    path = (root / attachment.stored_name).resolve()
    if root not in path.parents:
        raise NotFound()
    return path
