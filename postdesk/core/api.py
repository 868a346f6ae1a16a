from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from postdesk.core.auth import STAFF_AUTH

router = Router(auth=STAFF_AUTH, tags=["me"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    unit: str | None
    language: str


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        username=user.get_username(),
        display_name=getattr(user, "display_name", "") or user.get_username(),
        role=user.role,  # type: ignore[union-attr]
        unit=user.unit.code if user.unit else None,  # type: ignore[union-attr]
        language=user.language or "zh-hans",  # type: ignore[union-attr]
    )
