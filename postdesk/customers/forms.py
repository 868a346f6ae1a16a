from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from postdesk.customers.models import Customer


class CustomerForm(forms.Form):
    """Parses the page's input; the rules live in `customer_create`, which names every
    field at fault at once (so the name and phones are not required here: the service
    says so beside each, together with the other errors). `marked_required` puts the *."""

    marked_required = frozenset({"name", "phones"})

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Customer.Kind.choices)
    phones = forms.CharField(
        label=_("Phone numbers"),
        max_length=200,
        required=False,
        help_text=_("One or more, separated by commas."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    is_key_account = forms.BooleanField(label=_("Key account"), required=False)
    contract_no = forms.CharField(label=_("Contract number"), max_length=40, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=Customer.Channel.choices
    )
    consent_sms = forms.BooleanField(label=_("Agrees to SMS notices"), required=False, initial=True)
    temperament = forms.ChoiceField(
        label=_("Temperament (internal)"), choices=Customer.Temperament.choices, required=False
    )


class CustomerEditForm(forms.Form):
    """Parses the edit page; `customer_update` checks the values and names every field
    at fault at once."""

    marked_required = frozenset({"name", "phones"})

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Customer.Kind.choices)
    phones = forms.CharField(
        label=_("Phone numbers"),
        max_length=200,
        required=False,
        help_text=_("One or more, separated by commas; the first is the primary number."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=Customer.Channel.choices
    )
    consent_sms = forms.BooleanField(label=_("Agrees to SMS notices"), required=False)
    consent_marketing = forms.BooleanField(label=_("Agrees to marketing"), required=False)
    is_key_account = forms.BooleanField(label=_("Key account"), required=False)
    contract_no = forms.CharField(label=_("Contract number"), max_length=40, required=False)
    temperament = forms.ChoiceField(
        label=_("Temperament (internal)"), choices=Customer.Temperament.choices, required=False
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    other = forms.IntegerField(label=_("Number of the other card"), min_value=1)
