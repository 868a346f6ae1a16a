from __future__ import annotations

from django import template

from postdesk.workforce import labels

register = template.Library()


@register.filter
def report_status(status: str) -> str:
    return labels.status_label(status)


@register.filter
def report_action(action: str) -> str:
    return labels.action_label(action)


@register.filter
def product(code: str) -> str:
    return labels.product_label(code)
