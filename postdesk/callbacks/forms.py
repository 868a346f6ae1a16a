"""Forms of the callback pages: they only parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from postdesk.callbacks import flows
from postdesk.workorders.labels import lang


def choices(vocabulary: tuple[flows.Label, ...]) -> list[tuple[str, str]]:
    return [(code, zh if lang() == "zh" else en) for code, zh, en in vocabulary]


class CallbackForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=())
    phone = forms.CharField(label=_("Customer phone"), max_length=40)
    name = forms.CharField(label=_("Customer name"), max_length=100, required=False)
    window_end = forms.DateTimeField(
        label=_("Call by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=(), initial="normal")
    text = forms.CharField(
        label=_("What to say"), max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )
    work_order = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    call = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["reason"].choices = choices(flows.REASONS)  # type: ignore[attr-defined]
        self.fields["priority"].choices = choices(flows.PRIORITIES)  # type: ignore[attr-defined]
