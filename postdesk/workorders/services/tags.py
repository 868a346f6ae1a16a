"""标签 — tags on work orders (issue 20): the centre's list of tags and the tags of each
order, every write here.

A tag is a short name (Chinese allowed) with a colour from a small fixed palette
(`models.TagColour`), one list for the whole centre, kept by administrators and team leads
(`rules.can_manage_tags`) and archived rather than deleted. Putting a tag on an order or
taking it off is `tag_add` / `tag_remove`: whoever may tag the order (`rules.can_tag`),
audited on the order's timeline (events `tag` / `untag`, from == to, like a note) in the
same transaction. Neither changes the order's `version`: a tag is no reason to refuse the
action form someone has open.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.csvimport import has_control_characters
from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.org.models import User
from postdesk.workorders.models import Tag, TagColour, WorkOrder, WorkOrderEvent, WorkOrderTag
from postdesk.workorders.rules import can_manage_tags, can_tag
from postdesk.workorders.services._common import locked_for_change

#: A tag is a chip on a list row: at most this many characters (中文 counts one each).
MAX_NAME = 20
#: At most this many tags on one order (the row must stay one line), and in the centre.
MAX_PER_ORDER = 10
MAX_TAGS = 200
COLOURS = frozenset(c.value for c in TagColour)


def tag_name_clean(raw: object) -> str:
    """A tag's name as stored: whitespace runs made one space, trimmed. Empty, longer than
    `MAX_NAME` or holding a control character (tab and line feed included) →
    ValidationFailed on `name`."""
    if not isinstance(raw, str):
        raise ValidationFailed(fields={"name": _("Give the tag a name.")})
    if has_control_characters(raw):
        raise ValidationFailed(fields={"name": _("This value contains control characters.")})
    name = " ".join(raw.split())
    if not name:
        raise ValidationFailed(fields={"name": _("Give the tag a name.")})
    if len(name) > MAX_NAME:
        raise ValidationFailed(fields={"name": _("At most %(n)d characters.") % {"n": MAX_NAME}})
    return name


def _colour(raw: object) -> str:
    if not isinstance(raw, str) or raw not in COLOURS:
        raise ValidationFailed(fields={"colour": _("Choose one of the palette's colours.")})
    return raw


def _taken(name: str, exclude_id: int | None = None) -> bool:
    same = Tag.objects.annotate(lname=Lower("name")).filter(lname=name.lower())
    if exclude_id is not None:
        same = same.exclude(pk=exclude_id)
    return same.exists()


def tag_create(*, actor: User, name: object, colour: object = TagColour.GREY) -> Tag:
    """A new tag of the centre. Errors, each before anything is written: not a lead or an
    administrator → PermissionDenied; a bad name or colour, a name the centre has already
    (letter case aside, archived tags too), the centre's `MAX_TAGS` reached →
    ValidationFailed."""
    if not can_manage_tags(actor):
        raise PermissionDenied(_("Only team leads and administrators keep the list of tags."))
    clean, chosen = tag_name_clean(name), _colour(colour)
    if _taken(clean):
        raise ValidationFailed(fields={"name": _("The centre has a tag of this name already.")})
    if Tag.objects.count() >= MAX_TAGS:
        raise ValidationFailed(
            fields={"name": _("At most %(n)d tags; archive one first.") % {"n": MAX_TAGS}}
        )
    try:
        with transaction.atomic():
            return Tag.objects.create(name=clean, colour=chosen, created_by=actor)
    except IntegrityError:  # the same name created at the same moment
        raise ValidationFailed(
            fields={"name": _("The centre has a tag of this name already.")}
        ) from None


def tag_update(
    *,
    actor: User,
    tag_id: int,
    name: object | None = None,
    colour: object | None = None,
    archived: bool | None = None,
) -> Tag:
    """Rename, recolour, archive or restore a tag (what is None stays)."""
    if not can_manage_tags(actor):
        raise PermissionDenied(_("Only team leads and administrators keep the list of tags."))
    tag = Tag.objects.filter(pk=tag_id).first()
    if tag is None:
        raise NotFound()
    fields: list[str] = []
    if name is not None:
        clean = tag_name_clean(name)
        if _taken(clean, exclude_id=tag.pk):
            raise ValidationFailed(fields={"name": _("The centre has a tag of this name already.")})
        tag.name = clean
        fields.append("name")
    if colour is not None:
        tag.colour = _colour(colour)
        fields.append("colour")
    if archived is not None:
        tag.archived = bool(archived)
        fields.append("archived")
    if fields:
        try:
            with transaction.atomic():
                tag.save(update_fields=fields)
        except IntegrityError:
            raise ValidationFailed(
                fields={"name": _("The centre has a tag of this name already.")}
            ) from None
    return tag


def tag_lookup(ref: object, *, for_adding: bool = True) -> Tag:
    """The tag `ref` names: its id, or its name (letter case aside). Unknown — or archived,
    when it is to be put on an order — → ValidationFailed on `tag`."""
    tag: Tag | None = None
    if isinstance(ref, bool):
        tag = None
    elif isinstance(ref, int):
        tag = Tag.objects.filter(pk=ref).first() if 0 < ref < 2**63 else None
    elif isinstance(ref, str) and ref.strip():
        text = " ".join(ref.split())
        if text.isascii() and text.isdigit() and len(text) < 19:
            tag = Tag.objects.filter(pk=int(text)).first()
        if tag is None and len(text) <= MAX_NAME:
            tag = Tag.objects.annotate(lname=Lower("name")).filter(lname=text.lower()).first()
    if tag is None:
        raise ValidationFailed(fields={"tag": _("Choose one of the centre's tags.")})
    if for_adding and tag.archived:
        raise ValidationFailed(fields={"tag": _("This tag is archived.")})
    return tag


def _locked_order(actor: User, order: WorkOrder) -> WorkOrder:
    """The order, locked, after the scope and the role: outside the actor's scope →
    NotFound (`locked_for_change`, as every change of an order); in it, but not for the
    actor to tag → PermissionDenied."""
    locked = locked_for_change(actor, order, expected_version=None)
    if not can_tag(actor, locked):
        raise PermissionDenied(_("Your role does not allow tagging this order."))
    return locked


def _event(actor: User, order: WorkOrder, action: str, tag: Tag, now: datetime) -> None:
    WorkOrderEvent.objects.create(
        order=order,
        at=now,
        actor=actor,
        action=action,
        from_status=order.status,
        to_status=order.status,
        unit=order.handling_unit,
        data={"tag": tag.name, "tag_id": tag.pk},
    )


def tag_add(
    *, actor: User, order: WorkOrder, tag: object, now: datetime | None = None
) -> list[Tag]:
    """Put `tag` (an id or a name) on `order`; returns the order's tags. A tag the order
    has already changes nothing (a double click). Errors, each before anything is
    written: outside the actor's scope → NotFound; `can_tag` refuses → PermissionDenied;
    unknown or archived tag, or `MAX_PER_ORDER` reached → ValidationFailed on `tag`."""
    now = now or timezone.now()
    chosen = tag_lookup(tag)
    with transaction.atomic():
        locked = _locked_order(actor, order)
        present = WorkOrderTag.objects.filter(order=locked)
        if present.filter(tag=chosen).exists():
            return order_tags(locked)
        if present.count() >= MAX_PER_ORDER:
            raise ValidationFailed(
                fields={"tag": _("At most %(n)d tags on one order.") % {"n": MAX_PER_ORDER}}
            )
        WorkOrderTag.objects.create(order=locked, tag=chosen, tagged_by=actor, tagged_at=now)
        _event(actor, locked, "tag", chosen, now)
        return order_tags(locked)


def tag_remove(
    *, actor: User, order: WorkOrder, tag_id: int, now: datetime | None = None
) -> list[Tag]:
    """Take the tag `tag_id` off `order`; returns the order's tags. Outside the actor's
    scope, or a tag the order does not have → NotFound; `can_tag` refuses →
    PermissionDenied. An archived tag can still be taken off."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_order(actor, order)
        link = (
            WorkOrderTag.objects.select_related("tag").filter(order=locked, tag_id=tag_id).first()
        )
        if link is None:
            raise NotFound(_("This order has no such tag."))
        link.delete()
        _event(actor, locked, "untag", link.tag, now)
        return order_tags(locked)


def order_tags(order: WorkOrder) -> list[Tag]:
    """The tags on one order, in the order they were put there."""
    return [
        link.tag
        for link in WorkOrderTag.objects.select_related("tag")
        .filter(order=order)
        .order_by("tagged_at", "id")
    ]
