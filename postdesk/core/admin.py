from __future__ import annotations

from django.contrib import admin

from postdesk.core.models import AccessLogEntry, ApiToken
from postdesk.core.services import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # tokens are made with `postdesk create_api_token`, shown once

    @admin.action(description="Revoke")
    def revoke(self, request, queryset):  # type: ignore[no-untyped-def]
        for token in queryset:
            api_token_revoke(token_id=token.pk)


@admin.register(AccessLogEntry)
class AccessLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "actor_username", "what", "subject_type", "subject_label", "ip")
    list_filter = ("what", "subject_type")
    search_fields = ("actor_username", "subject_label", "subject_id")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
