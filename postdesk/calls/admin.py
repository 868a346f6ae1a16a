from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from postdesk.calls.models import (
    AgentState,
    BlockedNumber,
    Call,
    CallQueue,
    CtiToken,
    WrapupCode,
)
from postdesk.calls.services import cti_token_revoke, extension_cache_clear
from postdesk.core.phones import try_normalize_phone


@admin.register(CtiToken)
class CtiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens are created with `postdesk cti_token --create NAME` (the value is shown
    once); here an administrator lists and revokes them."""

    list_display = ("id", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[CtiToken]) -> None:
        for token in queryset:
            cti_token_revoke(token_id=token.pk)


@admin.register(WrapupCode)
class WrapupCodeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "label", "is_active", "position")
    list_editable = ("label", "is_active", "position")


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("call_id", "direction", "started_at", "queue", "agent_extension", "outcome")
    list_filter = ("direction", "outcome")
    search_fields = ("=call_id", "=caller_number")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AgentState)
class AgentStateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "state", "reason", "since")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CallQueue)
class CallQueueAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "unit")


class BlockedNumberForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = BlockedNumber
        fields = ("number", "note")

    def clean_number(self) -> str:
        from django.conf import settings

        raw = str(self.cleaned_data["number"]).strip()
        number = try_normalize_phone(raw, default_area_code=settings.POSTDESK_DEFAULT_AREA_CODE)
        if not number:
            raise forms.ValidationError(_("Enter a phone number."))
        return number


@admin.register(BlockedNumber)
class BlockedNumberAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Callers whose new inbound calls Zammad's CTI push rejects as busy."""

    form = BlockedNumberForm
    list_display = ("number", "note", "created_at")
    search_fields = ("number", "note")

    def save_model(
        self, request: HttpRequest, obj: BlockedNumber, form: object, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        extension_cache_clear()  # this process at once; the others within 30 s

    def delete_model(self, request: HttpRequest, obj: BlockedNumber) -> None:
        super().delete_model(request, obj)
        extension_cache_clear()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BlockedNumber]) -> None:
        super().delete_queryset(request, queryset)
        extension_cache_clear()
