from django.contrib import admin

from exchange.models import DepartmentCircuit, ExchangeRecord


@admin.register(ExchangeRecord)
class ExchangeRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "department", "endpoint", "outcome", "status_code", "duration_ms", "application_id"]
    list_filter = ["department", "outcome"]
    search_fields = ["application_id"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(DepartmentCircuit)
class DepartmentCircuitAdmin(admin.ModelAdmin):
    list_display = ["department", "state", "consecutive_failures", "opened_until", "updated_at"]
