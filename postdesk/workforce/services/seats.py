"""The seat map (定置定位图): administrators place seats, the lead's desk and equipment on
a floor plan's grid, and say who sits where."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from postdesk.core.errors import PermissionDenied, ValidationFailed
from postdesk.org.models import Role, User
from postdesk.workforce.models import FloorPlan, Seat


def can_edit_floor(*, user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def seat_place(
    *,
    actor: User,
    plan: FloorPlan,
    number: str,
    row: int,
    col: int,
    kind: str = Seat.Kind.SEAT,
    label: str = "",
    equipment: str = "",
    occupant: User | None = None,
) -> Seat:
    """Put a seat (or the lead's desk, or equipment) on a free cell of the grid; a seat
    already at that number is moved there."""
    if not can_edit_floor(user=actor):
        raise PermissionDenied(_("Only administrators place seats."))
    number = number.strip()
    errors: dict[str, str] = {}
    if not number or len(number) > 20:
        errors["number"] = _("Give the seat a number of up to 20 characters.")
    if not 0 <= row < plan.rows:
        errors["row"] = _("The row is outside the floor plan.")
    if not 0 <= col < plan.cols:
        errors["col"] = _("The column is outside the floor plan.")
    if kind not in Seat.Kind.values:
        errors["kind"] = _("This value is not one of the allowed choices.")
    if len(label) > 60:
        errors["label"] = _("This value is too long.")
    if len(equipment) > 200:
        errors["equipment"] = _("This value is too long.")
    if occupant is not None and kind == Seat.Kind.EQUIPMENT:
        errors["occupant"] = _("Nobody sits at a piece of equipment.")
    if errors:
        raise ValidationFailed(fields=errors)
    taken = Seat.objects.filter(plan=plan, row=row, col=col).exclude(number=number).first()
    if taken is not None:
        raise ValidationFailed(
            fields={"row": _("Seat %(number)s is already there.") % {"number": taken.number}}
        )
    try:
        with transaction.atomic():
            if occupant is not None:
                # one seat per person: moving someone frees their old seat
                Seat.objects.filter(occupant=occupant).exclude(plan=plan, number=number).update(
                    occupant=None
                )
            seat, _created = Seat.objects.update_or_create(
                plan=plan,
                number=number,
                defaults={
                    "row": row,
                    "col": col,
                    "kind": kind,
                    "label": label.strip(),
                    "equipment": equipment.strip(),
                    "occupant": occupant,
                },
            )
    except IntegrityError:
        raise ValidationFailed(
            fields={"number": _("This seat changed meanwhile; try again.")}
        ) from None
    return seat


def seat_remove(*, actor: User, seat: Seat) -> None:
    if not can_edit_floor(user=actor):
        raise PermissionDenied(_("Only administrators place seats."))
    seat.delete()
