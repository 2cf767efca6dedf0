from django.db import models
from django.db.models import Q

from privacy.fields import EncryptedTextField


class ExchangeRecord(models.Model):
    """Who received which data, when, for which application (least-privilege exchange log)."""

    application_id = models.UUIDField(null=True, blank=True, db_index=True)
    department = models.CharField(max_length=40, db_index=True)
    endpoint = models.CharField(max_length=100)
    fields = models.JSONField(default=list, help_text="Field paths sent; never their values.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=12)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.department} {self.endpoint} {self.outcome}"


class CircuitState(models.TextChoices):
    CLOSED = "closed", "正常"
    OPEN = "open", "熔断"
    HALF_OPEN = "half_open", "试探"


class DepartmentCircuit(models.Model):
    """A circuit breaker per department, shared by every worker through the database."""

    department = models.CharField(max_length=40, primary_key=True)
    state = models.CharField(max_length=10, choices=CircuitState.choices, default=CircuitState.CLOSED)
    consecutive_failures = models.PositiveIntegerField(default=0)
    opened_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(state__in=CircuitState.values), name="circuit_state_valid")]

    def __str__(self) -> str:
        return f"{self.department}: {self.state}"


class SharingPolicy(models.Model):
    """The fields one department may receive. Deny by default: no row, no fields."""

    department = models.CharField(max_length=40, primary_key=True)
    fields = models.JSONField(default=list, blank=True, help_text="Allowed field paths of the application document.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "sharing policies"

    def __str__(self) -> str:
        return f"{self.department}: {len(self.fields)} fields"


class SentRequest(models.Model):
    """The body first sent to a department under an idempotency key, sent again on every repeat.

    A department answers a repeated key with its stored answer only when the body is the same
    (409 otherwise), so a retry, or an operator's resend after a change to the sharing policy,
    must not rebuild the body from today's policy. It holds ID and phone numbers: encrypted.
    """

    idempotency_key = models.CharField(max_length=200, unique=True)
    department = models.CharField(max_length=40)
    application_id = models.UUIDField(null=True, blank=True, db_index=True)
    # JSON, serialised before encryption: the ciphertext is opaque to the database anyway.
    payload = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.department} {self.idempotency_key}"
