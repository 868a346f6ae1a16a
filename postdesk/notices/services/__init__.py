"""Every write of notices (see the modules for each part)."""

from postdesk.notices.services.act import apply_transition, notice_act, notice_mark_read
from postdesk.notices.services.contact import notice_contact_masked, notice_contact_reveal
from postdesk.notices.services.issue import notice_issue, notice_validate
from postdesk.notices.services.watch import notice_alert, notices_watch

__all__ = [
    "apply_transition",
    "notice_act",
    "notice_alert",
    "notice_contact_masked",
    "notice_contact_reveal",
    "notice_issue",
    "notice_mark_read",
    "notice_validate",
    "notices_watch",
]
