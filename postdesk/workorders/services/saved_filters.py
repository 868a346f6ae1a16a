"""Saved filters of the work-order list: each user's own named views (issue 20)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from postdesk.core.errors import NotFound, ValidationFailed
from postdesk.org.models import User
from postdesk.workorders.models import SavedFilter

#: At most this many saved filters per user (the chips must fit on the list page).
MAX_PER_USER = 30


def saved_filter_query(raw: str) -> str:
    """The list's filter parameters in `raw` (a query string), checked by the list's own
    filter form and written back in a canonical order; `page` and empty values are
    dropped. An unknown parameter or a value the form rejects → ValidationFailed."""
    from postdesk.workorders.forms import ListFilterForm  # forms import the selectors

    if len(raw) > 1000:
        raise ValidationFailed(fields={"query": _("Too long.")})
    params = QueryDict(raw.lstrip("?"))
    form = ListFilterForm(params)
    known = list(form.fields)
    unknown = sorted(k for k in params if k not in known and k != "page")
    if unknown:
        raise ValidationFailed(
            fields={"query": _("Unknown filter: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    if not form.is_valid():
        raise ValidationFailed(
            fields={f"query.{name}": str(errors[0]) for name, errors in form.errors.items()}
        )
    kept = [(k, params[k].strip()) for k in known if params.get(k, "").strip()]
    if not kept:
        raise ValidationFailed(fields={"query": _("Choose at least one filter to save.")})
    return urlencode(kept)


def saved_filter_create(*, actor: User, name: str, query: str) -> SavedFilter:
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed(fields={"name": _("Give the filter a name.")})
    if len(name) > 60:
        raise ValidationFailed(fields={"name": _("At most 60 characters.")})
    canonical = saved_filter_query(query)
    if SavedFilter.objects.filter(owner=actor).count() >= MAX_PER_USER:
        raise ValidationFailed(
            fields={
                "name": _("At most %(n)d saved filters; delete one first.") % {"n": MAX_PER_USER}
            }
        )
    if SavedFilter.objects.filter(owner=actor, name=name).exists():
        raise ValidationFailed(fields={"name": _("You already have a filter of this name.")})
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(owner=actor, name=name, query=canonical)
    except IntegrityError:  # the same name saved at the same moment
        raise ValidationFailed(
            fields={"name": _("You already have a filter of this name.")}
        ) from None


def saved_filter_delete(*, actor: User, filter_id: int) -> None:
    """Delete one of the actor's own saved filters; another user's is not found."""
    deleted, _rows = SavedFilter.objects.filter(owner=actor, pk=filter_id).delete()
    if not deleted:
        raise NotFound()
