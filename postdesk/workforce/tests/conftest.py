from __future__ import annotations

from datetime import time

import pytest


@pytest.fixture
def floor(org, staff):
    """Shifts, a 运维部 handler and a 市场经营部 handler, a small floor plan."""
    from postdesk.org.services import staff_create
    from postdesk.workforce.models import FloorPlan, Seat, Shift

    for position, (code, name, start, end) in enumerate(
        [("early", "早班", time(8), time(16)), ("middle", "中班", time(12), time(20)),
         ("late", "晚班", time(16), time(0))]
    ):  # fmt: skip
        Shift.objects.get_or_create(
            code=code, defaults={"name": name, "start": start, "end": end, "position": position}
        )
    users = staff  # the same dict api_for and client_for read: the new users join it
    for username, unit in (("yw1", "WZ-YW"), ("sc1", "WZ-SC")):
        if username not in users:
            users[username] = staff_create(
                username=username,
                password="postdesk",
                role="handler",
                unit=org[unit],
                display_name=username,
                email=f"{username}@demo.postdesk.local",
            )
    plan, _ = FloorPlan.objects.get_or_create(
        unit=org["WZ-11185"], name="话务大厅", defaults={"rows": 3, "cols": 4}
    )
    seats = {}
    for number, row, col, kind, occupant in [
        ("A01", 0, 0, "seat", "agent1"),
        ("A02", 0, 1, "seat", "agent2"),
        ("L01", 2, 0, "lead_desk", "lead1"),
        ("P01", 2, 3, "equipment", None),
    ]:
        seats[number], _ = Seat.objects.get_or_create(
            plan=plan,
            number=number,
            defaults={
                "row": row,
                "col": col,
                "kind": kind,
                "occupant": users[occupant] if occupant else None,
            },
        )
    return {"users": users, "plan": plan, "seats": seats}
