"""The public's writes: filing a request and rating the answer. Both go through the work
orders' own services, as the web intake's staff account `portal` (an agent of the
customer-service centre, with no password: nobody signs in as it), so a web filing is an
intake like a phone one — the same deadlines, routing, audit events and notifications —
told apart by `details["channel"] == "web"`, and a rating is the order's follow-up 回访.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.api_input import CONTROL
from postdesk.core.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    ServiceUnavailable,
    ValidationFailed,
)
from postdesk.customers.selectors import customers_by_phone
from postdesk.customers.services import customer_create
from postdesk.org.models import Role, Unit, UnitType, User
from postdesk.org.selectors import county_bureau_of
from postdesk.org.services import staff_create
from postdesk.portal import challenge, guard
from postdesk.portal.filing import Filing, filing_clean, window_words
from postdesk.portal.models import SpentChallenge
from postdesk.workorders.models import WorkOrder, WorkOrderEvent
from postdesk.workorders.services import (
    pickup_dispatch_routed,
    work_order_act,
    work_order_create,
)

WEB_ACTOR = "portal"
WEB_ACTOR_NAME = "网上自助服务"
CHANNEL = "web"
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")
MAX_COMMENT = 500


def _intake_unit() -> Unit | None:
    """`POSTDESK_PORTAL_UNIT`, else the city's customer-service centre (one outside any
    county bureau, so its agents see every order), else the top unit."""
    code = settings.POSTDESK_PORTAL_UNIT
    units = Unit.objects.filter(is_active=True)
    if code:
        return units.filter(code=code).first()
    for centre in units.filter(type=UnitType.SERVICE_CENTRE).order_by("pk"):
        if county_bureau_of(unit=centre) is None:
            return centre
    return units.filter(parent__isnull=True).order_by("pk").first()


def web_actor() -> User:
    """The staff account web intakes and ratings are made as (created on first use)."""
    found = User.objects.filter(username=WEB_ACTOR).first()
    if found is not None:
        return found
    unit = _intake_unit()
    if unit is None:
        raise ServiceUnavailable(_("Online requests are not open yet. Please call 11185."))
    try:
        return staff_create(
            username=WEB_ACTOR,
            password=None,
            role=Role.AGENT,
            unit=unit,
            display_name=WEB_ACTOR_NAME,
        )
    except Conflict:  # another process made it first
        return User.objects.get(username=WEB_ACTOR)


def _challenge_error(reason: str) -> ValidationFailed:
    messages = {
        "missing": _("The page's check has not finished yet: wait a moment and send again."),
        "expired": _("The form has expired: send it again."),
        "unsolved": _("The page's check does not match: send the form again."),
        "spent": _("This form was sent already: open a new one to file another request."),
    }
    message = messages.get(reason, _("The page's check is not valid: reload the page."))
    return ValidationFailed(message, fields={"challenge": message})


def _title(text: str) -> str:
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    return line[:60] + ("…" if len(line) > 60 else "")


def _details(filing: Filing) -> dict[str, str]:
    if filing.type != "pickup" or filing.window_start is None or filing.window_end is None:
        return {}
    return {
        "address": filing.address,
        "window": window_words(filing.window_start, filing.window_end),
        "window_start": filing.window_start.isoformat(),
        "window_end": filing.window_end.isoformat(),
    }


def public_request_file(
    *,
    data: Mapping[str, Any],
    challenge_token: str,
    solution: str,
    honeypot: str = "",
    ip: str | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """File the public's request as a web intake; returns the new order.

    Refused before anything is written, in this order: a filled honeypot (400
    `rejected`); the fields (400 naming each, `portal.filing`); the proof of work (400
    `challenge`: missing, expired, wrong or already used); the hourly limits (429 with
    Retry-After, `portal.guard`). The customer (matched by phone, else created), the
    order, the spent challenge and a routed pickup's dispatch are one transaction.
    """
    now = now or timezone.now()
    if honeypot.strip():
        raise ValidationFailed(
            _("This request could not be accepted. Please call 11185."), code="rejected"
        )
    filing = filing_clean(data, now=now)
    try:
        solved = challenge.verify(challenge_token, solution)
    except challenge.ChallengeError as exc:
        raise _challenge_error(exc.reason) from None
    if SpentChallenge.objects.filter(digest=solved.digest).exists():
        raise _challenge_error("spent")  # before counting: a replay costs the phone nothing
    guard.filing_hit(phone=filing.phone, ip=ip)
    actor = web_actor()
    with transaction.atomic():
        try:
            with transaction.atomic():
                SpentChallenge.objects.create(digest=solved.digest, expires_at=solved.expires_at)
        except IntegrityError:
            raise _challenge_error("spent") from None
        matches = customers_by_phone(user=actor, raw=filing.phone)
        same_name = [c for c in matches if c.name == filing.name]
        found = same_name or matches
        customer = (
            found[0]
            if found
            else customer_create(actor=actor, name=filing.name, phones=[filing.phone])
        )
        order = work_order_create(
            actor=actor,
            type=filing.type,
            subtype=filing.subtype,
            title=_title(filing.text),
            description=filing.text,
            caller_phone=filing.phone,
            caller_name=filing.name,
            waybill_no=filing.waybill_no,
            customer_id=customer.pk,
            details=_details(filing),
            channel=CHANNEL,
            now=now,
        )
        if order.type == "pickup":
            try:
                with transaction.atomic():
                    dispatched = pickup_dispatch_routed(actor=actor, order=order, confirm=True)
            except DomainError:
                dispatched = None  # the order stays new: the centre dispatches it
            if dispatched is not None:
                order = dispatched
    return order


def rated_online(order: WorkOrder) -> bool:
    """Whether the order has its follow-up already (online or by a call)."""
    if order.satisfaction:
        return True
    return WorkOrderEvent.objects.filter(
        order=order, action="follow_up", data__source="portal"
    ).exists()


def public_request_rate(
    *, order: WorkOrder, satisfaction: str, comment: str = "", now: datetime | None = None
) -> WorkOrder:
    """The public's rating of the reply, recorded as the order's follow-up 回访 (a
    dissatisfied one reopens the order exactly as a dissatisfied follow-up call does).
    400 for a bad rating or comment; 409 `not_ratable` before the reply or once rated."""
    comment = (comment or "").strip()
    errors: dict[str, str] = {}
    if satisfaction not in RATINGS:
        errors["satisfaction"] = _("Choose satisfied, basically satisfied or dissatisfied.")
    if CONTROL.search(comment):
        errors["comment"] = _("This value contains control characters.")
    elif len(comment) > MAX_COMMENT:
        errors["comment"] = _("At most %(n)d characters.") % {"n": MAX_COMMENT}
    elif satisfaction == "dissatisfied" and not comment:
        errors["comment"] = _("Tell us what was not right, so we can put it right.")
    if errors:
        raise ValidationFailed(fields=errors)
    refused = Conflict(
        _("Only a request we have replied to can be rated, and only once."), code="not_ratable"
    )
    if order.status != "replied" or rated_online(order):
        raise refused
    payload = {"satisfaction": satisfaction, "text": comment, "source": "portal"}
    try:
        return work_order_act(
            actor=web_actor(), order=order, action="follow_up", payload=payload, now=now
        )
    except InvalidTransition:  # rated or reopened meanwhile (the row is locked there)
        raise refused from None


def challenges_purge(*, now: datetime | None = None) -> int:
    """Forget spent challenges that have expired anyway (hourly, `schedule.py`)."""
    deleted, _rows = SpentChallenge.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted
