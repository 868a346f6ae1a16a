from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from postdesk.knowledge.markdown_io import ArticleData
from postdesk.knowledge.models import Article, Visibility

_SPLIT = re.compile(r"[,，、;；\s]+")


def _words(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in _SPLIT.split(value or "") if w))


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.CharField(
        label=_("Category"),
        max_length=200,
        help_text=_("A path such as 业务/特快专递; missing categories are created."),
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_to = forms.DateField(
        label=_("Effective to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    successor = forms.CharField(label=_("Successor (title)"), max_length=200, required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    services = forms.CharField(
        label=_("Services"), required=False, help_text=_("Separated by commas, e.g. EMS, 国内包裹.")
    )
    owner_unit = forms.CharField(label=_("Owner unit code"), max_length=20, required=False)
    review_date = forms.DateField(
        label=_("Review date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    body = forms.CharField(label=_("Body (Markdown)"), widget=forms.Textarea(attrs={"rows": 18}))
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("The end is before the start."))
        return data

    def article_data(self) -> ArticleData:
        d = self.cleaned_data
        return ArticleData(
            title=d["title"].strip(),
            category="/".join(p.strip() for p in d["category"].split("/") if p.strip()),
            visibility=d["visibility"],
            effective_from=d["effective_from"],
            effective_to=d.get("effective_to"),
            tags=_words(d.get("tags", "")),
            services=_words(d.get("services", "")),
            successor=(d.get("successor") or "").strip(),
            owner_unit=(d.get("owner_unit") or "").strip(),
            review_date=d.get("review_date"),
            body=d["body"],
        )

    @classmethod
    def initial_for(cls, article: Article) -> dict[str, Any]:
        return {
            "title": article.title,
            "category": article.category.path,
            "visibility": article.visibility,
            "effective_from": article.effective_from,
            "effective_to": article.effective_to,
            "successor": article.successor.title if article.successor else article.successor_title,
            "tags": ", ".join(t.name for t in article.tags.all()),
            "services": ", ".join(str(s) for s in article.services),
            "owner_unit": article.owner_unit.code if article.owner_unit else "",
            "review_date": article.review_date,
            "body": article.body,
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Markdown file (.md) or zip of them"))
