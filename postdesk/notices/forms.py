"""Forms of the notice pages: they only parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from postdesk.core.errors import ValidationFailed
from postdesk.notices import flows, selectors
from postdesk.workorders.labels import lang


def choices(table: tuple[flows.Label, ...], blank: bool = False) -> list[tuple[str, str]]:
    rows = [(code, zh if lang() == "zh" else en) for code, zh, en in table]
    return [("", "—"), *rows] if blank else rows


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    unit = forms.CharField(
        label=_("Unit code (empty: found from the address)"), max_length=20, required=False
    )
    waybill_no = forms.CharField(label=_("Waybill number"), max_length=40, required=False)
    phone = forms.CharField(label=_("Customer phone"), max_length=40, required=False)
    name = forms.CharField(label=_("Customer name"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    window_start = forms.DateTimeField(
        label=_("Window from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    window_end = forms.DateTimeField(
        label=_("Window until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    text = forms.CharField(
        label=_("What the unit should do"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    work_order = forms.CharField(label=_("Work order"), max_length=20, required=False)
    call = forms.CharField(label=_("Call"), max_length=100, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = choices(flows.KINDS)  # type: ignore[attr-defined]


class ListFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    unit = forms.CharField(label=_("Unit code"), max_length=20, required=False)
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[("", "—"), ("true", _("overdue")), ("false", _("not overdue"))],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = choices(flows.KINDS, blank=True)  # type: ignore[attr-defined]
        self.fields["status"].choices = choices(flows.STATUSES, blank=True)  # type: ignore[attr-defined]


def list_filters(form: ListFilterForm) -> selectors.ListFilters:
    """The notice list's filters from its form (what is not valid is left out)."""
    data = form.cleaned_data if form.is_valid() else {}
    overdue = data.get("overdue") or ""
    return selectors.ListFilters(
        unit=(data.get("unit") or "").strip(),
        kind=data.get("kind") or "",
        status=data.get("status") or "",
        overdue=True if overdue == "true" else False if overdue == "false" else None,
    )


def list_filters_strict(raw: dict[str, str]) -> selectors.ListFilters:
    """The same filters for an export: a value the form rejects is a 400 naming it."""
    form = ListFilterForm(raw)
    if not form.is_valid():
        raise ValidationFailed(
            fields={name: str(errors[0]) for name, errors in form.errors.items()}
        )
    return list_filters(form)
