"""Merging two cards of one person (客户合并): every reference to the dropped card moves
to the kept one in one transaction, found through `Customer._meta.related_objects`, so a
foreign key another app adds later is moved too without a change here."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from postdesk.customers.models import Customer, CustomerAddress, CustomerChange, CustomerPhone
from postdesk.customers.rules import can_merge_customers
from postdesk.customers.selectors import merge_references
from postdesk.org.models import User
from postdesk.org.selectors import scope_for


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _move_phones(keep: Customer, drop: Customer) -> int:
    """The dropped card's numbers join the kept card's (a number on both stays once);
    the kept card's primary number stays primary."""
    have = set(CustomerPhone.objects.filter(customer=keep).values_list("number", flat=True))
    phones = CustomerPhone.objects.filter(customer=drop)
    phones.filter(number__in=have).delete()
    return phones.update(customer=keep, is_primary=False)


def customers_merge(*, actor: User, keep: Customer, drop: Customer) -> dict[str, int]:
    """Merge `drop` into `keep`: its calls, work orders, phones, addresses, audit and any
    other row pointing at it move to `keep`; `drop` stays, empty, marked merged into
    `keep` (so an old link or number on paper still leads somewhere). The merge is in
    `keep`'s audit. Answers how many rows of each model moved."""
    if not can_merge_customers(actor):
        raise PermissionDenied(_("Only team leads and administrators merge customers' cards."))
    scope = scope_for(user=actor)
    if not (scope.allows_unit(keep.unit_id) and scope.allows_unit(drop.unit_id)):
        raise NotFound()
    if keep.pk == drop.pk:
        raise ValidationFailed(
            _("A card cannot be merged into itself."),
            fields={"other": _("Choose another customer's card.")},
        )
    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Customer.objects.select_for_update()
            .filter(pk__in=[keep.pk, drop.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise NotFound()
        keep, drop = locked[keep.pk], locked[drop.pk]
        if keep.merged_into_id is not None or drop.merged_into_id is not None:
            raise Conflict(
                _("One of these cards has already been merged into another."),
                code="already_merged",
            )
        moved: dict[str, int] = {_label(CustomerPhone): _move_phones(keep, drop)}
        if CustomerAddress.objects.filter(customer=keep, is_default=True).exists():
            CustomerAddress.objects.filter(customer=drop).update(is_default=False)
        for model, field in merge_references():
            if model is CustomerPhone:
                continue
            rows = model._base_manager.filter(**{field: drop})
            moved[_label(model)] = moved.get(_label(model), 0) + rows.update(**{field: keep})
        now = timezone.now()
        drop.merged_into = keep
        drop.merged_at = now
        drop.save(update_fields=["merged_into", "merged_at", "updated_at"])
        CustomerChange.objects.create(
            customer=keep, actor=actor, at=now, field="merge", old=drop.name, new=str(drop.pk)
        )
    return moved
