"""Reads of tags (标签): the centre's list and the tags of the orders a reader sees."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, QuerySet

from postdesk.org.models import User
from postdesk.workorders.models import Tag, WorkOrder, WorkOrderTag
from postdesk.workorders.selectors.orders import work_orders_visible


def tags_list(*, user: User, include_archived: bool = False) -> list[Tag]:
    """The centre's tags by name (the typeahead's and the filter's choices). The list is
    the centre's reference data, the same for every staff user; archived ones only on
    request (the filter and the tag keepers' page show them)."""
    tags: QuerySet[Tag] = Tag.objects.all()
    if not include_archived:
        tags = tags.filter(archived=False)
    return list(tags.order_by("name", "id"))


def tags_with_use(*, user: User) -> list[Tag]:
    """Every tag with `uses`, how many of the orders the reader sees carry it (the tag
    keepers' page)."""
    visible = work_orders_visible(user=user).values("pk")
    counts = dict(
        WorkOrderTag.objects.filter(order_id__in=visible)
        .values("tag_id")
        .annotate(n=Count("id"))
        .values_list("tag_id", "n")
    )
    tags = list(Tag.objects.order_by("archived", "name", "id"))
    for tag in tags:
        tag.uses = counts.get(tag.pk, 0)  # type: ignore[attr-defined]
    return tags


def tags_of_orders(*, orders: Iterable[WorkOrder]) -> dict[int, list[Tag]]:
    """The tags of each of `orders` (already read through the reader's scope: a list
    page's rows), in the order they were put there: one query for a page."""
    ids = [o.pk for o in orders]
    found: dict[int, list[Tag]] = {pk: [] for pk in ids}
    if not ids:
        return found
    links = (
        WorkOrderTag.objects.filter(order_id__in=ids)
        .select_related("tag")
        .order_by("tagged_at", "id")
    )
    for link in links:
        found[link.order_id].append(link.tag)
    return found


def work_order_tags(*, order: WorkOrder) -> list[Tag]:
    """The tags of one order read through `work_order_get` (so in the reader's scope)."""
    return tags_of_orders(orders=[order])[order.pk]
