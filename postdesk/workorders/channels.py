"""A work order's intake channel (pure). A work order has no channel field: it is
derived, in this order, from `details["channel"]` when it names one of `CHANNELS`, a 12305
reference (regulator), a linked call (phone), else "other". The month report counts by
it and quality inspection samples by it; this is the one rule."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CHANNELS = {
    "phone": _("Phone"),
    "web": _("Web"),
    "sms": _("SMS"),
    "walk_in": _("Walk-in"),
    "regulator": _("Regulator (12305)"),
    "other": _("Other"),
}


def channel_of(*, details_channel: str | None, regulator_ref: str, call_id: str) -> str:
    """The intake channel of one work order (see the module docstring)."""
    if details_channel in CHANNELS and details_channel != "other":
        return str(details_channel)
    if regulator_ref:
        return "regulator"
    if call_id:
        return "phone"
    return "other"
