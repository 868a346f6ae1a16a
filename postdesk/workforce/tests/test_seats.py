"""Placing seats on the floor plan: administrators only, inside the grid, one seat per
cell and one seat per person; the map page for supervisors only."""

from __future__ import annotations

import pytest

from postdesk.core.errors import PermissionDenied, ValidationFailed
from postdesk.workforce.models import Seat
from postdesk.workforce.services import seat_place

pytestmark = pytest.mark.django_db


def test_placing_seats(floor, staff):
    plan, admin = floor["plan"], staff["admin"]
    seat = seat_place(actor=admin, plan=plan, number="A03", row=0, col=2, occupant=staff["agent3"])
    assert (seat.row, seat.col, seat.occupant) == (0, 2, staff["agent3"])
    # moving agent3 to another seat frees the old one
    moved = seat_place(actor=admin, plan=plan, number="A04", row=0, col=3, occupant=staff["agent3"])
    assert moved.occupant == staff["agent3"]
    assert Seat.objects.get(number="A03").occupant is None
    for kwargs, field in [
        ({"number": "B01", "row": 9, "col": 0}, "row"),
        ({"number": "B01", "row": 0, "col": 9}, "col"),
        ({"number": "B01", "row": 0, "col": 0}, "row"),  # A01 is there
        ({"number": "", "row": 1, "col": 1}, "number"),
        ({"number": "B01", "row": 1, "col": 1, "kind": "sofa"}, "kind"),
        ({"number": "B01", "row": 1, "col": 1, "kind": "equipment", "occupant": staff["agent4"]},
         "occupant"),
    ]:  # fmt: skip
        before = list(Seat.objects.values_list("number", "row", "col", "occupant"))
        with pytest.raises(ValidationFailed) as caught:
            seat_place(actor=admin, plan=plan, **kwargs)
        assert field in caught.value.fields
        assert list(Seat.objects.values_list("number", "row", "col", "occupant")) == before
    with pytest.raises(PermissionDenied):
        seat_place(actor=staff["lead1"], plan=plan, number="B02", row=1, col=1)


def test_the_map_page(floor, client_for):
    page = client_for("lead1").get("/workforce/floor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "定置定位图" in html and 'data-seat="A01"' in html and "布置坐席" not in html
    assert client_for("agent1").get("/workforce/floor/").status_code == 403
    admin = client_for("admin")
    assert "布置坐席" in admin.get("/workforce/floor/").content.decode()
    made = admin.post(
        "/workforce/floor/", {"number": "C01", "row": "2", "col": "2", "kind": "seat"}
    )
    assert made.status_code == 302 and Seat.objects.filter(number="C01", row=1, col=1).exists()
    bad = admin.post("/workforce/floor/", {"number": "C02", "row": "99", "col": "1"})
    assert bad.status_code == 400 and not Seat.objects.filter(number="C02").exists()
