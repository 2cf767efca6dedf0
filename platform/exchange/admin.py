from django import forms
from django.contrib import admin
from django.http import HttpRequest

from audit.services import audit_record
from exchange.models import DepartmentCircuit, ExchangeRecord, SharingPolicy
from exchange.policy import FIELD_LABELS


class SharingPolicyForm(forms.ModelForm):
    fields = forms.MultipleChoiceField(
        choices=[(path, f"{label} ({path})") for path, label in FIELD_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="允许共享的字段 / allowed fields",
    )

    class Meta:
        model = SharingPolicy
        fields = ["department", "fields"]


@admin.register(SharingPolicy)
class SharingPolicyAdmin(admin.ModelAdmin):
    form = SharingPolicyForm
    list_display = ["department", "field_count", "updated_at"]

    @admin.display(description="fields")
    def field_count(self, policy: SharingPolicy) -> int:
        return len(policy.fields)

    def save_model(self, request: HttpRequest, obj: SharingPolicy, form: forms.Form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="sharing_policy.changed",
            actor=f"user:{request.user.get_username()}",
            department=obj.department,
            fields=obj.fields,
        )


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
