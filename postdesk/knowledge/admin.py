"""Reference data of the knowledge base in the admin: service phrases and the
forbidden-phrase rules. Articles are edited on the knowledge-base pages (which keep the
version history and the search index)."""

from __future__ import annotations

from django.contrib import admin

from postdesk.knowledge.models import ForbiddenRule, Phrase


@admin.register(Phrase)
class PhraseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "category", "caller_type", "text")
    list_filter = ("category", "caller_type")
    search_fields = ("key",)
    ordering = ("position", "key")


@admin.register(ForbiddenRule)
class ForbiddenRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("pattern", "kind", "is_regex", "is_active", "reason")
    list_filter = ("kind", "is_active", "is_regex")
