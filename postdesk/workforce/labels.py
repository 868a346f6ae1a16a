"""The Chinese-first labels of the internal reports' statuses, actions and products
(message ids are English; `report_flows` keeps the codes)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STATUS: dict[str, Promise] = {
    "reported": _("reported"),
    "accepted": _("accepted"),
    "fixed": _("fixed"),
    "cannot_fix": _("cannot be fixed"),
    "acknowledged": _("acknowledged"),
    "closed": _("closed"),
    "new": _("new"),
    "contacted": _("contacted"),
    "won": _("won"),
    "lost": _("lost"),
}

ACTION: dict[str, Promise] = {
    "create": _("reported"),
    "accept": _("Accept"),
    "fix": _("Fixed"),
    "cannot_fix": _("Cannot fix"),
    "acknowledge": _("Acknowledge"),
    "close": _("Close"),
    "contact": _("Contacted"),
    "win": _("Won"),
    "lose": _("Lost"),
    "chase": _("reminder sent"),
}

PRODUCT: dict[str, Promise] = {
    "bulk_mail": _("bulk mailing"),
    "philately": _("philately"),
    "company_account": _("company account"),
    "logistics": _("logistics"),
    "other": _("other"),
}


def status_label(status: str) -> str:
    return str(STATUS.get(status, status))


def action_label(action: str) -> str:
    return str(ACTION.get(action, action))


def product_label(product: str) -> str:
    return str(PRODUCT.get(product, product)) if product else ""
