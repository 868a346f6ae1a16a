from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from postdesk.core.auth import STAFF_AUTH
from postdesk.org.request import staff_user
from postdesk.org.selectors import units_visible

router = Router(auth=STAFF_AUTH, tags=["organisation"])


class UnitOut(Schema):
    code: str
    name: str
    type: str
    parent: str | None
    is_active: bool


@router.get("/units", response=list[UnitOut], summary="Units visible to me")
def list_units(request: HttpRequest) -> list[dict[str, object]]:
    units = units_visible(user=staff_user(request)).select_related("parent")
    return [
        {
            "code": u.code,
            "name": u.name,
            "type": u.type,
            "parent": u.parent.code if u.parent else None,
            "is_active": u.is_active,
        }
        for u in units
    ]
