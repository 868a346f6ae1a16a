"""The customer's personal data on a notice: masked by default (lists, the API's
summary), in full only through this logged read (`core.services.access_log_record`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from postdesk.core.errors import NotFound, PermissionDenied
from postdesk.core.masking import mask_address, mask_name, mask_phone
from postdesk.core.phones import display_phone
from postdesk.core.services import access_log_record
from postdesk.customers.selectors import can_view_full
from postdesk.notices.models import Notice
from postdesk.notices.services._common import can_see
from postdesk.org.models import User

SUBJECT_TYPE = "notice"


@dataclass(frozen=True)
class Contact:
    phone: str
    name: str
    address: str
    masked: bool


def notice_contact_masked(notice: Notice) -> Contact:
    phone = display_phone(notice.phone) if notice.phone else ""
    return Contact(mask_phone(phone), mask_name(notice.name), mask_address(notice.address), True)


def notice_contact_reveal(*, actor: User, notice: Notice, ip: str | None = None) -> Contact:
    """The phone, name and address in full, with one access-log entry. Only to the roles
    that need it (agents, leads, handlers, administrators) and in scope."""
    if not can_see(actor, notice):
        raise NotFound()
    if not can_view_full(user=actor):
        raise PermissionDenied(_("Your role does not see customers' personal data in full."))
    masked = notice_contact_masked(notice)
    access_log_record(
        actor=actor,
        subject_type=SUBJECT_TYPE,
        subjects=[(notice.number, " ".join(v for v in (masked.name, masked.phone) if v))],
        what="view",
        detail="contact",
        ip=ip,
    )
    phone = display_phone(notice.phone) if notice.phone else ""
    return Contact(phone, notice.name, notice.address, False)
