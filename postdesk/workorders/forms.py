"""Forms only parse; the services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from postdesk.core.errors import ValidationFailed
from postdesk.org.models import Unit
from postdesk.workorders import flows, selectors
from postdesk.workorders.labels import lang
from postdesk.workorders.models import Priority, Tag


def _choices(table: tuple[tuple[str, str, str], ...], blank: bool = False) -> list[tuple[str, str]]:
    rows = [(c, zh if lang() == "zh" else en) for c, zh, en in table]
    return [("", "—"), *rows] if blank else rows


def unit_choices(suggested: Sequence[Any] = ()) -> list[tuple[str, str]]:
    """The dispatch list: the suggested units first (each with why), then every active
    unit as the tree, indented by depth under its parent."""
    units = list(Unit.objects.filter(is_active=True).order_by("path"))
    by_code = {u.code: u for u in units}
    top = [
        (s.code, f"★ {by_code[s.code].name} ({s.code}) · {s.reason}")
        for s in suggested
        if s.code in by_code
    ]
    base = min((u.path.count("/") for u in units), default=2)
    tree = [(u.code, "\u3000" * (u.path.count("/") - base) + f"{u.name} ({u.code})") for u in units]
    return [("", "—"), *top, *tree]


BOOKING_KINDS = [
    ("air_ticket", _("air ticket")),
    ("coach_ticket", _("express-coach ticket")),
    ("event_ticket", _("event ticket")),
    ("logistics", _("logistics order")),
]


class WorkOrderForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"))
    subtype = forms.ChoiceField(label=_("Kind of complaint"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial="normal")
    caller_phone = forms.CharField(label=_("Caller phone"), max_length=40, required=False)
    caller_name = forms.CharField(label=_("Caller name"), max_length=100, required=False)
    waybill_no = forms.CharField(label=_("Waybill number"), max_length=40, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What the caller says"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    address = forms.CharField(label=_("Pickup address"), max_length=200, required=False)
    window = forms.CharField(label=_("Time window"), max_length=100, required=False)
    item = forms.CharField(label=_("Item details"), max_length=200, required=False)
    booking_kind = forms.ChoiceField(
        label=_("Booking"), choices=[("", "—"), *BOOKING_KINDS], required=False
    )
    booking_details = forms.CharField(label=_("Booking details"), max_length=300, required=False)
    regulator_ref = forms.CharField(
        label=_("12305 appeal reference"), max_length=40, required=False
    )
    regulator_due_at = forms.DateTimeField(
        label=_("Appeal deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    dispatch_to = forms.ChoiceField(label=_("Dispatch at once to"), required=False)
    dispatch_routed = forms.BooleanField(
        label=_("Dispatch at once to the unit that serves the address"),
        required=False,
        initial=True,
    )
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    call = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    parent = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    duplicate_choice = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, suggested: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["type"]).choices = _choices(flows.WORK_ORDER_TYPES)
        cast(forms.ChoiceField, self.fields["subtype"]).choices = _choices(
            flows.COMPLAINT_SUBTYPES, blank=True
        )
        cast(forms.ChoiceField, self.fields["dispatch_to"]).choices = unit_choices(suggested)
        self.fields["caller_phone"].widget.attrs["autofocus"] = "autofocus"

    def details(self) -> dict[str, str]:
        data = self.cleaned_data
        keys = ("address", "window", "item", "booking_kind", "booking_details")
        return {k: data[k] for k in keys if data.get(k)}


def _tag_choice(name: str, archived: bool) -> str:
    return f"{name} ({pgettext_lazy('tag', 'archived')})" if archived else name


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Keywords"), required=False, max_length=200)
    type = forms.ChoiceField(label=_("Type"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    tag = forms.ChoiceField(label=pgettext_lazy("work order", "Tag"), required=False)
    unit = forms.CharField(label=_("Unit code"), required=False, max_length=20)
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[("", "—"), ("true", _("overdue")), ("false", _("on time"))],
    )
    waybill = forms.CharField(label=_("Waybill"), required=False, max_length=40)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    created_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_before = forms.DateTimeField(
        label=_("Due before"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["type"]).choices = _choices(
            flows.WORK_ORDER_TYPES, blank=True
        )
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", "—"),
            ("open", _("all open")),
            *_choices(flows.STATUSES),
        ]
        cast(forms.ChoiceField, self.fields["tag"]).choices = [
            ("", "—"),
            *(
                (str(t.pk), _tag_choice(t.name, t.archived))
                for t in Tag.objects.order_by("archived", "name", "id")  # the centre's list
            ),
        ]


def list_filters(form: ListFilterForm) -> selectors.ListFilters:
    """The list page's filters from its form (what is not valid is left out)."""
    data = form.cleaned_data if form.is_valid() else {}
    overdue = data.get("overdue") or ""
    return selectors.ListFilters(
        type=data.get("type") or "",
        status=data.get("status") or "",
        unit=(data.get("unit") or "").strip(),
        overdue=True if overdue == "true" else False if overdue == "false" else None,
        due_before=data.get("due_before"),
        waybill=data.get("waybill") or "",
        phone=data.get("phone") or "",
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
        q=data.get("q") or "",
        mine=bool(data.get("mine")),
        tag=data.get("tag") or "",
    )


def list_filters_strict(raw: dict[str, str]) -> selectors.ListFilters:
    """The same filters for an export: a value the form rejects is a 400 naming it."""
    form = ListFilterForm(raw)
    if not form.is_valid():
        raise ValidationFailed(
            fields={name: str(errors[0]) for name, errors in form.errors.items()}
        )
    return list_filters(form)
