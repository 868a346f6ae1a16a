"""REST API of tags (标签, issue 20): the centre's list (/api/v1/tags/) and the tags of
one work order (/api/v1/workorders/{number}/tags). Thin: parse, call one service or
selector, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.params.functions import Path
from pydantic import Field

from postdesk.core.auth import STAFF_AUTH
from postdesk.org.request import staff_user
from postdesk.workorders import selectors
from postdesk.workorders.models import Tag, TagColour
from postdesk.workorders.services import tag_add, tag_create, tag_remove, tag_update
from postdesk.workorders.services.tags import MAX_NAME

router = Router(auth=STAFF_AUTH, tags=["tags"])  # /api/v1/tags/
order_router = Router(auth=STAFF_AUTH, tags=["work orders"])  # /api/v1/workorders/…/tags

MAX_ID = 2**63 - 1
TagId = Annotated[int, Field(ge=1, le=MAX_ID)]


class TagOut(Schema):
    """A tag: `colour` one of the palette's (grey, blue, green, amber, red, purple)."""

    id: int
    name: str
    colour: str
    archived: bool


class TagListOut(Schema):
    results: list[TagOut]


class TagIn(Schema):
    name: str = Field(max_length=200, description=f"at most {MAX_NAME} characters once trimmed")
    colour: TagColour = TagColour.GREY


class TagPatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    colour: TagColour | None = None
    archived: bool | None = None


class OrderTagIn(Schema):
    """The tag to put on the order: its id, or its name."""

    tag: TagId | Annotated[str, Field(min_length=1, max_length=200)]


class OrderTagsOut(Schema):
    number: str
    tags: list[TagOut]


def tag_out(tag: Tag) -> dict[str, Any]:
    return {"id": tag.pk, "name": tag.name, "colour": tag.colour, "archived": tag.archived}


@router.get("/", response=TagListOut, summary="The centre's tags (archived ones on request)")
def tags(request: HttpRequest, archived: bool = False) -> dict[str, Any]:
    user = staff_user(request)
    found = selectors.tags_list(user=user, include_archived=archived)
    return {"results": [tag_out(t) for t in found]}


@router.post("/", response={201: TagOut}, summary="A new tag (team leads and administrators)")
def tags_create(request: HttpRequest, payload: TagIn) -> Status[dict[str, Any]]:
    user = staff_user(request)
    tag = tag_create(actor=user, name=payload.name, colour=payload.colour.value)
    return Status(201, tag_out(tag))


@router.patch(
    "/{tag_id}",
    response=TagOut,
    summary="Rename, recolour, archive or restore a tag (team leads and administrators)",
)
def tags_update(
    request: HttpRequest, payload: TagPatchIn, tag_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    user = staff_user(request)
    tag = tag_update(
        actor=user,
        tag_id=tag_id,
        name=payload.name,
        colour=payload.colour.value if payload.colour is not None else None,
        archived=payload.archived,
    )
    return tag_out(tag)


@order_router.post(
    "/{number}/tags",
    response=OrderTagsOut,
    summary="Put a tag on a work order (by its id or name); the order's tags",
)
def order_tag_add(request: HttpRequest, number: str, payload: OrderTagIn) -> dict[str, Any]:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    found = tag_add(actor=user, order=order, tag=payload.tag)
    return {"number": order.number, "tags": [tag_out(t) for t in found]}


@order_router.delete(
    "/{number}/tags/{tag_id}",
    response=OrderTagsOut,
    summary="Take a tag off a work order; the order's tags",
)
def order_tag_remove(
    request: HttpRequest, number: str, tag_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    user = staff_user(request)
    order = selectors.work_order_get(user=user, number=number)
    found = tag_remove(actor=user, order=order, tag_id=tag_id)
    return {"number": order.number, "tags": [tag_out(t) for t in found]}
