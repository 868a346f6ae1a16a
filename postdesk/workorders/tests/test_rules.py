"""The work-order predicates beyond the state machine, per role, and the page, the
template and the service following them."""

from __future__ import annotations

import pytest

from postdesk.core.errors import PermissionDenied
from postdesk.workorders.rules import can_add_note, can_read_board
from postdesk.workorders.services import work_order_note

pytestmark = pytest.mark.django_db

BOARD = {"agent1": False, "lead1": True, "director1": True, "branch1": False, "admin": True}


@pytest.mark.parametrize(("username", "expected"), list(BOARD.items()))
def test_the_board(staff, client_for, username, expected) -> None:
    assert can_read_board(staff[username]) is expected
    status = client_for(username).get("/workorders/board/").status_code
    assert status == (200 if expected else 404)


def test_notes_are_for_those_who_work_the_order(staff, make_order, client_for) -> None:
    order = make_order()
    assert can_add_note(staff["agent1"], order) and can_add_note(staff["lead1"], order)
    assert not can_add_note(staff["admin"], order)
    assert not can_add_note(staff["branch2"], order)  # not in scope: not even seen
    page = client_for("agent1").get(f"/workorders/{order.number}/").content.decode()
    assert f"/workorders/{order.number}/note" in page
    admin_page = client_for("admin").get(f"/workorders/{order.number}/").content.decode()
    assert f"/workorders/{order.number}/note" not in admin_page
    with pytest.raises(PermissionDenied):
        work_order_note(actor=staff["admin"], order=order, text="备注")
    assert work_order_note(actor=staff["agent1"], order=order, text="已联系客户").text
