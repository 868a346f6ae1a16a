"""Forms of the service-area pages. They only parse: every field is free text, and the
service checks a rule exactly as it checks an imported line (`services.area_row_clean`),
so the page and the CSV can never disagree about what a good rule is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


def _text(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.CharField:
    # no max_length and no required: the service decides and names the field at fault
    return forms.CharField(label=label, required=False, strip=True, help_text=help_text)


class RuleForm(forms.Form):
    """A rule of one unit (the unit is the page's)."""

    province = _text(_("Province"), _("Official name, e.g. 浙江省; empty means any."))
    city = _text(_("City"), _("e.g. 温州市; may be left empty when the district is given."))
    district = _text(_("District"), _("The county-level division, e.g. 鹿城区 or 瑞安市."))
    town = _text(_("Township"), _("e.g. 五马街道 or 塘下镇; empty means the whole district."))
    keywords = _text(
        _("Keywords"),
        _("Roads, villages, communities or estates separated by |; one must occur."),
    )

    FIELDS = ("province", "city", "district", "town", "keywords")

    def values(self, unit_code: str) -> dict[str, str]:
        return {"unit_code": unit_code, **{n: self.cleaned_data[n] for n in self.FIELDS}}


class RuleEditForm(RuleForm):
    """A rule being changed: it may also move to another unit."""

    unit_code = _text(_("Unit code"))
    field_order = ["unit_code", *RuleForm.FIELDS]


class AddressForm(forms.Form):
    address = forms.CharField(
        label=_("Address"),
        required=False,
        strip=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("e.g. 温州鹿城五马街道解放路12号"),
                "data-testid": "tester-address",
            }
        ),
    )


class AreaImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    replace = forms.BooleanField(
        label=_("Replace the whole table with the file (only when every line is good)"),
        required=False,
    )
