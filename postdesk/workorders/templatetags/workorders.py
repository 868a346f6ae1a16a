"""Template filters for work orders shown on other apps' pages: `{% load workorders %}`."""

from __future__ import annotations

from django import template

from postdesk.workorders import labels

register = template.Library()


@register.filter
def wo_type(code: str) -> str:
    return labels.type_label(code)


@register.filter
def wo_status(code: str) -> str:
    return labels.status_label(code)
