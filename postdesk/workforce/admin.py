from __future__ import annotations

from django.contrib import admin

from postdesk.workforce.models import (
    AgentSkill,
    DayOffRequest,
    FloorPlan,
    Seat,
    Shift,
)


class SeatInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Seat
    extra = 3
    fields = ("number", "row", "col", "kind", "label", "equipment", "occupant")
    raw_id_fields = ("occupant",)


@admin.register(FloorPlan)
class FloorPlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "unit", "rows", "cols")
    inlines = [SeatInline]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "start", "end", "is_active", "position")


@admin.register(AgentSkill)
class AgentSkillAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "skill")
    list_filter = ("skill",)


@admin.register(DayOffRequest)
class DayOffRequestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "day", "reason")
