"""The routing predicate for templates: ``{% if user|can_manage_routing %}`` shows what
the pages would allow, decided in one place (`routing.rules`)."""

from __future__ import annotations

from django import template

from postdesk.routing import rules

register = template.Library()
register.filter("can_manage_routing", rules.can_manage_routing)
