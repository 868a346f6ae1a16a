"""Template filters for work orders shown on other apps' pages: `{% load workorders %}`."""

from __future__ import annotations

from django import template

from postdesk.workorders import labels
from postdesk.workorders.public_ref import format_public_ref

register = template.Library()


@register.filter
def wo_type(code: str) -> str:
    return labels.type_label(code)


@register.filter
def wo_status(code: str) -> str:
    return labels.status_label(code)


@register.filter
def public_ref(code: str) -> str:
    """The 公众查询码 in its two groups of four, as it is read out."""
    return format_public_ref(code)
