"""What the public files, checked before anything is written (the API's and the page's
one rule): every field at fault named at once, in the request's language.

A filing is a complaint (with its sub-type), a suggestion, a consultation or a pickup
request (with the address and the time window). The fields that do not belong to the
type are refused rather than dropped, so an API client learns of its mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.api_input import CONTROL
from postdesk.core.errors import ValidationFailed
from postdesk.core.phones import InvalidPhone, normalize_phone
from postdesk.workorders.flows import COMPLAINT_SUBTYPES

TYPES = ("complaint", "suggestion", "consultation", "pickup")
SUBTYPES = tuple(code for code, _zh, _en in COMPLAINT_SUBTYPES)
MAX = {"phone": 40, "name": 50, "text": 2000, "waybill_no": 40, "address": 200, "subtype": 30}
MIN_TEXT = 4
#: a window may start a little before the form is sent (the minutes spent typing)
WINDOW_GRACE = timedelta(minutes=15)
WINDOW_LONGEST = timedelta(hours=12)
WINDOW_AHEAD = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Filing:
    type: str
    subtype: str
    phone: str  # canonical (E.164)
    name: str
    text: str
    waybill_no: str
    address: str
    window_start: datetime | None
    window_end: datetime | None


def _str(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def _when(raw: Mapping[str, Any], name: str, errors: dict[str, str]) -> datetime | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, datetime):
        errors[name] = _("Enter a valid date and time.")
        return None
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value)  # a time without an offset is the centre's local time


def _window(
    start: datetime | None, end: datetime | None, now: datetime, errors: dict[str, str]
) -> None:
    if start is None:
        errors["window_start"] = _("Say from when we may come.")
    if end is None:
        errors["window_end"] = _("Say until when we may come.")
    if start is None or end is None:
        return
    if end <= start:
        errors["window_end"] = _("The window must end after it starts.")
    elif end - start > WINDOW_LONGEST:
        errors["window_end"] = _("A window is at most 12 hours long.")
    if end <= now or start < now - WINDOW_GRACE:
        errors["window_start"] = _("This time has passed: choose a time to come.")
    elif start > now + WINDOW_AHEAD:
        errors["window_start"] = _("Choose a time within the next 30 days.")


def filing_clean(raw: Mapping[str, Any], *, now: datetime | None = None) -> Filing:
    """The checked filing, or ValidationFailed naming every field at fault."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    values = {name: _str(raw, name) for name in (*MAX, "type")}
    for name, text in values.items():
        if CONTROL.search(text):
            errors[name] = _("This value contains control characters.")
        elif name in MAX and len(text) > MAX[name]:
            errors[name] = _("At most %(n)d characters.") % {"n": MAX[name]}
    kind = values["type"]
    if kind not in TYPES:
        errors["type"] = _("Choose complaint, suggestion, consultation or pickup.")
    if kind == "complaint" and values["subtype"] not in SUBTYPES:
        errors.setdefault("subtype", _("Choose what the complaint is about."))
    elif kind != "complaint" and values["subtype"]:
        errors.setdefault("subtype", _("Only a complaint has a sub-type."))
    phone = ""
    if not values["phone"]:
        errors["phone"] = _("Enter your phone number.")
    elif "phone" not in errors:
        try:
            phone = normalize_phone(
                values["phone"], default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE
            )
        except InvalidPhone:
            phone = ""
        if not phone.startswith("+"):  # a service short code (11185) is nobody's phone
            errors["phone"] = _("This is not a phone number: check it.")
    if not values["name"]:
        errors["name"] = _("Tell us your name.")
    if "text" not in errors and len(values["text"]) < MIN_TEXT:
        errors["text"] = _("Tell us in a few words what happened or what you need.")
    waybill = ""
    if values["waybill_no"] and "waybill_no" not in errors:
        waybill = _waybill(values["waybill_no"], errors)
    start = end = None
    if kind == "pickup":
        if not values["address"]:
            errors.setdefault("address", _("Enter the address where we pick up."))
        start, end = _when(raw, "window_start", errors), _when(raw, "window_end", errors)
        if not {"window_start", "window_end"} & set(errors):
            _window(start, end, now, errors)
    else:
        for name in ("address", "window_start", "window_end"):
            if raw.get(name):
                errors[name] = _("Only a pickup request has an address and a time window.")
    if errors:
        raise ValidationFailed(fields=errors)
    return Filing(
        type=kind,
        subtype=values["subtype"],
        phone=phone,
        name=values["name"],
        text=values["text"],
        waybill_no=waybill,
        address=values["address"],
        window_start=start,
        window_end=end,
    )


def _waybill(raw: str, errors: dict[str, str]) -> str:
    from postdesk.portal.selectors import waybill_check

    try:
        return waybill_check(raw)
    except ValidationFailed as exc:
        errors["waybill_no"] = str(exc.fields.get("waybill", exc.message))
        return ""


def window_words(start: datetime, end: datetime) -> str:
    """The window as the branch and the caller read it: 12月5日 09:00-11:00."""
    a, b = timezone.localtime(start), timezone.localtime(end)
    tail = f"{b:%H:%M}" if a.date() == b.date() else f"{b.month}月{b.day}日 {b:%H:%M}"
    return f"{a.month}月{a.day}日 {a:%H:%M}-{tail}"
