from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from postdesk.org.models import Unit, UnitChange, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "type", "parent", "is_active")
    list_filter = ("type", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("path",)


@admin.register(UnitChange)
class UnitChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("unit", "field", "old_value", "new_value", "actor", "at")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(User)
class StaffAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = (
        "username",
        "display_name",
        "role",
        "unit",
        "agent_no",
        "extension",
        "is_active",
    )
    list_filter = ("role", "is_active", "unit")
    search_fields = ("username", "display_name", "agent_no", "extension")
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        (
            "postdesk",
            {
                "fields": (
                    "role",
                    "unit",
                    "display_name",
                    "agent_no",
                    "extension",
                    "phone",
                    "language",
                )
            },
        ),
    )
