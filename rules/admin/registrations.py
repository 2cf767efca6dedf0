"""The live enterprise register and the hit counts in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rules.admin.scoping import DepartmentScoped, user_kinds, user_libraries
from rules.models import HitCount, NameReservation, RegisteredEnterprise
from rules.services import enterprise_cancel


@admin.register(RegisteredEnterprise)
class RegisteredEnterpriseAdmin(DepartmentScoped, admin.ModelAdmin):
    list_display = ("name", "credit_code", "authority", "status", "cancelled_at", "address", "registered_at")
    list_filter = ("status", "authority")
    search_fields = ("name", "credit_code")
    readonly_fields = (
        "name",
        "credit_code",
        "name_key",
        "core_key",
        "trade_name_key",
        "pinyin_key",
        "industry",
        "address",
        "address_code",
        "authority",
        "status",
        "cancelled_at",
        "registered_at",
    )
    actions = ("cancel_selected",)

    def kind_of(self, obj: RegisteredEnterprise) -> str:
        return "enterprises"

    def scope_of(self, obj: RegisteredEnterprise) -> str | None:
        return obj.authority or None

    # The live register is market regulation's, like the enterprises list it extends: other
    # departments' administrators may not list it (nor open a row by a guessed URL).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return "enterprises" in user_kinds(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return "enterprises" in user_kinds(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="注销所选企业 / record the cancellation of the selected enterprises")
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[RegisteredEnterprise]) -> None:
        cancelled = 0
        for enterprise in queryset:
            if not self.has_change_permission(request, enterprise):
                continue
            enterprise_cancel(credit_code=enterprise.credit_code)
            cancelled += 1
        self.message_user(request, f"{cancelled} cancelled; their names stay reserved for a year.", messages.SUCCESS)


@admin.register(HitCount)
class HitCountAdmin(DepartmentScoped, admin.ModelAdmin):
    list_display = ("day", "library", "rule", "list_kind", "entry", "count")
    list_filter = ("library", "rule", "list_kind", "day")
    date_hierarchy = "day"

    def kind_of(self, obj: HitCount) -> str:
        return obj.list_kind or "name_words"

    def get_queryset(self, request: HttpRequest) -> QuerySet[HitCount]:
        return super().get_queryset(request).filter(library__in=user_libraries(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: HitCount | None = None) -> bool:
        return False


@admin.register(NameReservation)
class NameReservationAdmin(DepartmentScoped, admin.ModelAdmin):
    """Reservations are made by applicants (API and form page); the admin only shows them."""

    list_display = ("name", "authority", "status", "prior_approval", "expires_at", "created_at")
    list_filter = ("status", "authority", "prior_approval")
    search_fields = ("name", "reference")
    readonly_fields = (
        "reference",
        "name",
        "core_key",
        "trade_name_key",
        "industry",
        "authority",
        "status",
        "prior_approval",
        "reserved_by",
        "created_at",
        "expires_at",
        "released_at",
    )

    def kind_of(self, obj: NameReservation) -> str:
        return "enterprises"

    def scope_of(self, obj: NameReservation) -> str:
        return obj.authority

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: NameReservation | None = None) -> bool:
        return False
