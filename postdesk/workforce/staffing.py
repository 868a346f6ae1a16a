"""Erlang C with the project's error shape: the pure `erlang.staffing`, its input errors
turned into `ValidationFailed` naming the field in the reader's language. The API, the
`postdesk staffing` command and the requirement page all call `staffing_for`."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from postdesk.core.errors import ValidationFailed
from postdesk.workforce.erlang import ErlangInputError, Staffing, staffing

REASONS: dict[str, Promise] = {
    "not_a_number": _("Enter a number."),
    "negative": _("Enter a number of 0 or more."),
    "not_positive": _("Enter a number greater than 0."),
    "outside_open_unit": _("Enter a fraction between 0 and 1, such as 0.8."),
    "outside_half_open_unit": _("Enter a fraction from 0 up to (not including) 1, such as 0.3."),
    "too_much_traffic": _("The traffic is beyond 100,000 Erlangs; check the figures."),
}


def staffing_for(
    *,
    calls: float,
    interval_minutes: float,
    aht: float,
    target_sl: float = 0.8,
    target_seconds: float = 20.0,
    shrinkage: float = 0.0,
) -> Staffing:
    """Agents needed for one interval (fixed definitions in `erlang`); bad input → 400."""
    try:
        return staffing(
            calls=calls,
            interval_seconds=interval_minutes * 60.0,
            aht_seconds=aht,
            target_sl=target_sl,
            target_seconds=target_seconds,
            shrinkage=shrinkage,
        )
    except ErlangInputError as exc:
        raise ValidationFailed(fields={exc.field: REASONS[exc.reason]}) from None
