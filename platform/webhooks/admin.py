from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from config.admin import ReadOnlyAdmin
from webhooks.events import EventType
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    EndpointInvalid,
    delivery_resend,
    endpoint_create,
    endpoint_enable,
    endpoint_rotate_secret,
)


def _actor(request: HttpRequest) -> str:
    return f"user:{request.user.get_username()}"


class FailingFilter(admin.SimpleListFilter):
    title = "失败标记 / flagged"
    parameter_name = "flagged"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("failing", "持续失败 / failing"), ("disabled", "已停用 / disabled")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> QuerySet[WebhookEndpoint]:
        if self.value() == "failing":
            return queryset.filter(failing_since__isnull=False)
        if self.value() == "disabled":
            return queryset.filter(is_enabled=False)
        return queryset


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=EventType.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["api_client", "url", "events"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Endpoints, with the failing and disabled ones flagged; the secret is never displayed again."""

    form = EndpointForm
    list_display = [
        "url",
        "api_client",
        "is_enabled",
        "flagged",
        "consecutive_failures",
        "failing_since",
        "last_success_at",
        "disabled_reason",
    ]
    list_filter = [FailingFilter, "is_enabled", "api_client"]
    actions = ["enable", "rotate_secret"]

    @admin.display(boolean=True, description="失败 / failing")
    def flagged(self, endpoint: WebhookEndpoint) -> bool:
        return endpoint.is_failing or not endpoint.is_enabled

    def get_readonly_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> list[str]:
        return ["api_client", "url", "is_enabled", "disabled_reason", "failing_since"] if obj else []

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: forms.Form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            created = endpoint_create(
                api_client=form.cleaned_data["api_client"],
                url=form.cleaned_data["url"],
                events=list(form.cleaned_data["events"]),
                actor=_actor(request),
            )
        except EndpointInvalid as invalid:
            self.message_user(request, f"{invalid.errors}", level=messages.ERROR)
            return
        obj.pk = created.endpoint.pk
        self.message_user(request, f"签名密钥（仅显示一次）/ signing secret, shown once: {created.secret}")

    @admin.action(description="重新启用 / enable again")
    def enable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            endpoint_enable(endpoint=endpoint, actor=_actor(request))
        self.message_user(request, f"{queryset.count()} endpoints enabled")

    @admin.action(description="轮换签名密钥 / rotate the signing secret")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            secret = endpoint_rotate_secret(endpoint=endpoint, actor=_actor(request))
            self.message_user(request, f"{endpoint.url}: 新密钥（仅显示一次）/ new secret, shown once: {secret}")


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["attempted_at", "status_code", "duration_ms", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: attempts, status codes and timings; operators resend from here."""

    list_display = [
        "message_id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["message_id", "application_id"]
    inlines = [AttemptInline]
    actions = ["resend"]

    @admin.action(description="重新投递（同一 webhook-id）/ resend (same webhook-id)")
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        resent = sum(
            delivery_resend(delivery_id=pk, actor=_actor(request)) for pk in queryset.values_list("id", flat=True)
        )
        self.message_user(request, f"{resent} deliveries resent")
        if resent < queryset.count():
            self.message_user(
                request,
                "停用端点的投递未重发 / deliveries of disabled endpoints were not resent",
                level=messages.WARNING,
            )

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # The action needs the change permission; the fields stay read-only (no change form).
        return obj is None and super(ReadOnlyAdmin, self).has_change_permission(request, obj)
