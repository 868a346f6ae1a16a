from __future__ import annotations

from django.contrib import admin

from postdesk.workorders import sla
from postdesk.workorders.models import (
    CalendarException,
    SlaPolicy,
    Tag,
    WorkCalendar,
    WorkOrder,
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "type",
        "subtype",
        "priority",
        "dispatch_amount",
        "dispatch_unit",
        "accept_amount",
        "accept_unit",
        "feedback_amount",
        "feedback_unit",
        "reply_amount",
        "reply_unit",
        "warn_before_minutes",
    )
    list_filter = ("type",)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        sla.invalidate()


class CalendarExceptionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CalendarException
    extra = 1


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "unit", "weekday_hours", "weekend_hours", "official_calendar")
    inlines = [CalendarExceptionInline]

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        sla.invalidate()


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: status and deadlines are written by the services only."""

    list_display = ("number", "type", "status", "handling_unit", "due_at", "escalation_level")
    list_filter = ("type", "status")
    search_fields = ("=number", "=waybill_no")
    raw_id_fields = ("customer", "owner", "handling_unit", "intake_unit", "parent", "merged_into")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Reference data: administrators may correct a tag here; the services' checks (a
    short name, unique letter case aside) are the tag keepers' page's (`services/tags.py`)."""

    list_display = ("name", "colour", "archived", "created_at")
    list_filter = ("archived", "colour")
    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # archived, not deleted: orders keep their tags
