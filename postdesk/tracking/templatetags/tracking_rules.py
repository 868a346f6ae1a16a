"""The tracking predicates for templates: ``{% if user|can_import %}`` shows what the
page and the API would allow, decided in one place (`tracking.rules`)."""

from __future__ import annotations

from django import template

from postdesk.tracking import rules

register = template.Library()

for _name in ("can_track", "can_enter_results", "can_read_delivery_targets", "can_import"):
    register.filter(_name, getattr(rules, _name))
