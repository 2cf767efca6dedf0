"""Webhook endpoints of API clients, the deliveries of events to them, and every attempt."""

import uuid

from django.db import models
from django.db.models import Q

from privacy.fields import EncryptedTextField


class WebhookEndpoint(models.Model):
    """Where an integrator wants events, and which; signed with its own secret (whsec_…)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    api_client = models.ForeignKey("accounts.ApiClient", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    # A signing key, not personal data, but a credential all the same: encrypted at rest.
    secret = EncryptedTextField()
    # After a rotation the old secret signs too, for a while, so receivers can switch over.
    previous_secret = EncryptedTextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Consecutive failed attempts, and since when every attempt failed: the operator's flag.
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["api_client", "is_enabled"], name="webhook_endpoint_client_idx")]

    def __str__(self) -> str:
        return self.url

    @property
    def is_failing(self) -> bool:
        return self.failing_since is not None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待投递"
    SUCCEEDED = "succeeded", "已送达"
    FAILED = "failed", "投递失败"
    CANCELLED = "cancelled", "已取消"


class WebhookDelivery(models.Model):
    """One event for one endpoint. Its `message_id` is the webhook-id, the same on every attempt."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40)
    application_id = models.UUIDField(null=True, blank=True)
    # The exact JSON body, serialised once: every attempt sends (and signs) the same bytes.
    # IDs, statuses and masked names only.
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Retries go on until this plus WEBHOOKS_RETRY_WINDOW_HOURS; an operator's resend restarts it.
    window_started_at = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status_valid")
        ]
        indexes = [
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_endpoint_idx"),
            # The sweeper looks only at pending deliveries, however long the log grows.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, the answer's status code (none on a network error), how long."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"
