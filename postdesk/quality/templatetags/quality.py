"""Template helpers of the evaluation screen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def score_range(maximum: int) -> range:
    return range(int(maximum) + 1)


@register.simple_tag
def answer_value(posted: Any, suggested: Mapping[str, bool], key: str) -> str:
    """What the question's input shows: the posted value, else the suggestion."""
    if posted and posted.get(f"a_{key}"):
        return str(posted.get(f"a_{key}"))
    if key in suggested:
        return "yes" if suggested[key] else "no"
    return ""


@register.simple_tag
def posted_comment(posted: Any, key: str) -> str:
    return str(posted.get(f"c_{key}", "")) if posted else ""


@register.simple_tag
def field_error(errors: Mapping[str, str] | None, prefix: str, key: str) -> str:
    message = (errors or {}).get(f"{prefix}.{key}")
    return (
        format_html('<p class="error" data-testid="error-{}">{}</p>', key, message)
        if message
        else ""
    )
