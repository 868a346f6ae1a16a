"""A team lead's manual figure for one half hour of the forecast."""

from __future__ import annotations

import math
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from postdesk.core.errors import PermissionDenied, ValidationFailed
from postdesk.org.models import Role, Unit, User
from postdesk.workforce.models import ForecastOverride

EDITORS = frozenset({Role.LEAD, Role.DIRECTOR, Role.ADMIN})


def forecast_override_set(
    *, actor: User, unit: Unit, start: datetime, calls: float | None, note: str = ""
) -> ForecastOverride | None:
    """Set (or, with `calls` None, remove) the override of the half hour at `start`."""
    if actor.role not in EDITORS and not actor.is_superuser:
        raise PermissionDenied()
    if start.tzinfo is None or start.minute % 30 or start.second or start.microsecond:
        raise ValidationFailed(fields={"start": _("Give the start of a half hour.")})
    if calls is not None and (not math.isfinite(calls) or calls < 0 or calls > 1_000_000):
        raise ValidationFailed(fields={"calls": _("Enter a number of 0 or more.")})
    if len(note) > 200:
        raise ValidationFailed(fields={"note": _("This value is too long.")})
    with transaction.atomic():
        if calls is None:
            ForecastOverride.objects.filter(unit=unit, start=start).delete()
            return None
        row, _created = ForecastOverride.objects.update_or_create(
            unit=unit, start=start, defaults={"calls": calls, "note": note, "actor": actor}
        )
    return row
