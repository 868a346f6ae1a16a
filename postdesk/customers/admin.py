from __future__ import annotations

from django.contrib import admin

from postdesk.customers.models import Customer, CustomerAddress, CustomerPhone


class PhoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CustomerPhone
    extra = 0


class AddressInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CustomerAddress
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "name", "kind", "is_key_account", "unit")
    list_filter = ("kind", "is_key_account")
    search_fields = ("name", "contract_no", "phones__number")
    inlines = [PhoneInline, AddressInline]
