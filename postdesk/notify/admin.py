from __future__ import annotations

from django.contrib import admin, messages

from postdesk.notify.models import OutboxMessage
from postdesk.notify.services import outbox_retry


@admin.register(OutboxMessage)
class OutboxAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "channel", "key", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "channel")
    search_fields = ("key",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description="Retry (send again)")
    def retry(self, request, queryset):  # type: ignore[no-untyped-def]
        count = outbox_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} message(s) queued again.", messages.SUCCESS)
