"""Webhook endpoints and the delivery of events: at least once, signed, with backoff and jitter.

A delivery is attempted by a task on the `webhooks` queue: a short transaction claims it, the
POST runs with no transaction open, and a second short transaction records the answer and,
on failure, schedules the next attempt through the outbox. Every attempt of a delivery sends
the same body under the same webhook-id, so a receiver deduplicates on that id.
"""

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiClient
from audit.services import audit_record
from webhooks.events import EventType, deliver_message, retry_window
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.security import webhook_url_problem
from webhooks.signing import secret_generate, webhook_headers
from workflow.outbox import outbox_enqueue_many

logger = logging.getLogger(__name__)

MAX_ENDPOINTS_PER_CLIENT = 20
GONE = 410


class EndpointInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid webhook endpoint")
        self.errors = errors


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str


def _events_problem(events: object) -> str | None:
    if not isinstance(events, list) or not events:
        return "至少选择一种事件 / choose at least one event type"
    unknown = sorted({str(event) for event in events} - set(EventType.values))
    if unknown:
        return f"未知事件 / unknown event types: {', '.join(unknown)}"
    return None


def endpoint_create(*, api_client: ApiClient, url: str, events: list[str], actor: str) -> CreatedEndpoint:
    """Registers an endpoint; its secret is returned here and never shown again."""
    errors: dict[str, list[str]] = {}
    if problem := webhook_url_problem(url):
        errors["url"] = [problem]
    if problem := _events_problem(events):
        errors["events"] = [problem]
    if WebhookEndpoint.objects.filter(api_client=api_client).count() >= MAX_ENDPOINTS_PER_CLIENT:
        errors["non_field_errors"] = [
            f"每个客户端最多 {MAX_ENDPOINTS_PER_CLIENT} 个端点 / at most {MAX_ENDPOINTS_PER_CLIENT} endpoints"
        ]
    if errors:
        raise EndpointInvalid(errors)
    secret = secret_generate()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            api_client=api_client, url=url, events=sorted(set(events)), secret=secret
        )
        audit_record(action="webhook.endpoint_created", actor=actor, endpoint=str(endpoint.id), events=endpoint.events)
    return CreatedEndpoint(endpoint=endpoint, secret=secret)


def endpoint_delete(*, endpoint: WebhookEndpoint, actor: str) -> None:
    with transaction.atomic():
        audit_record(action="webhook.endpoint_deleted", actor=actor, endpoint=str(endpoint.id))
        endpoint.delete()


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: str) -> str:
    """A new secret; the old one keeps signing too for WEBHOOKS_SECRET_ROTATION_HOURS."""
    secret = secret_generate()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + timedelta(hours=settings.WEBHOOKS_SECRET_ROTATION_HOURS)
        endpoint.secret = secret
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
        audit_record(action="webhook.secret_rotated", actor=actor, endpoint=str(endpoint.id))
    return secret


def endpoint_enable(*, endpoint: WebhookEndpoint, actor: str) -> None:
    """Turns a disabled endpoint back on, with a clean failure record."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_enabled=True,
            disabled_reason="",
            disabled_at=None,
            consecutive_failures=0,
            failing_since=None,
            updated_at=timezone.now(),
        )
        audit_record(action="webhook.endpoint_enabled", actor=actor, endpoint=str(endpoint.id))


def _endpoint_disable(endpoint: WebhookEndpoint, *, reason: str, now: object) -> None:
    """Disables a locked endpoint and cancels its pending deliveries (their log stays)."""
    endpoint.is_enabled = False
    endpoint.disabled_reason = reason[:300]
    endpoint.disabled_at = now
    endpoint.save(
        update_fields=[
            "is_enabled",
            "disabled_reason",
            "disabled_at",
            "consecutive_failures",
            "failing_since",
            "updated_at",
        ]
    )
    WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, next_attempt_at=None, updated_at=now
    )
    audit_record(action="webhook.endpoint_disabled", endpoint=str(endpoint.id), reason=reason[:200])
    logger.warning("webhook endpoint %s disabled: %s", endpoint.id, reason)


def endpoint_signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    secrets_ = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_expires_at
        and endpoint.previous_secret_expires_at > timezone.now()
    ):
        secrets_.append(endpoint.previous_secret)
    return secrets_


def retry_delay_seconds(*, attempt: int) -> float:
    """Exponential backoff with jitter: between half and all of base·2^(attempt-1), capped."""
    ceiling = min(settings.WEBHOOKS_RETRY_MAX_SECONDS, settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


# --- Delivery -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claimed:
    delivery_id: int
    message_id: str
    body: str
    url: str
    secrets: list[str]


def delivery_attempt(*, delivery_id: int) -> None:
    """One attempt of one delivery. Idempotent: a finished or not-yet-due delivery is left alone."""
    claimed = _delivery_claim(delivery_id=delivery_id)
    if claimed is None:
        return
    refused = webhook_url_problem(claimed.url)
    if refused:
        _delivery_record(delivery_id=delivery_id, status_code=None, error=refused, duration_ms=0, refused=True)
        return
    started = time.monotonic()
    status_code, error = None, ""
    try:
        response = _http_client().post(
            claimed.url,
            content=claimed.body.encode(),
            headers=webhook_headers(
                message_id=claimed.message_id, timestamp=timezone.now(), body=claimed.body, secrets_=claimed.secrets
            ),
        )
        status_code = response.status_code
    except httpx.HTTPError as failure:
        # The type only: an exception's text may quote the URL's query string.
        error = type(failure).__name__
    _delivery_record(
        delivery_id=delivery_id,
        status_code=status_code,
        error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _http_client() -> httpx.Client:
    # No redirects: a redirect could lead past the SSRF guard.
    return httpx.Client(timeout=httpx.Timeout(settings.WEBHOOKS_TIMEOUT_SECONDS), follow_redirects=False)


def _delivery_claim(*, delivery_id: int) -> _Claimed | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if (
            delivery is None
            or delivery.status != DeliveryStatus.PENDING
            or (delivery.next_attempt_at and delivery.next_attempt_at > now + timedelta(seconds=1))
        ):
            return None
        endpoint = delivery.endpoint
        if not endpoint.is_enabled:
            delivery.status = DeliveryStatus.CANCELLED
            delivery.save(update_fields=["status", "updated_at"])
            return None
        delivery.attempts += 1
        # A lease: a duplicate of this task arriving during the attempt finds it not yet due.
        delivery.next_attempt_at = now + timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS + 5)
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
        return _Claimed(
            delivery_id=delivery.pk,
            message_id=delivery.message_id,
            body=delivery.body,
            url=endpoint.url,
            secrets=endpoint_signing_secrets(endpoint),
        )


def _delivery_record(
    *, delivery_id: int, status_code: int | None, error: str, duration_ms: int, refused: bool = False
) -> None:
    now = timezone.now()
    with transaction.atomic():
        endpoint_id = WebhookDelivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True).first()
        if endpoint_id is None:
            return  # the endpoint was deleted meanwhile, and its log with it
        # Endpoint first, then the delivery: the order every writer of both takes.
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        WebhookAttempt.objects.create(
            delivery=delivery, attempted_at=now, status_code=status_code, duration_ms=duration_ms, error=error[:300]
        )
        delivery.last_status_code = status_code
        delivery.last_error = error[:300]
        changed = ["last_status_code", "last_error", "status", "next_attempt_at", "delivered_at", "updated_at"]
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            delivery.save(update_fields=changed)
            endpoint.consecutive_failures = 0
            endpoint.failing_since = None
            endpoint.last_success_at = now
            endpoint.save(update_fields=["consecutive_failures", "failing_since", "last_success_at", "updated_at"])
            return
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        endpoint.consecutive_failures += 1
        endpoint.failing_since = endpoint.failing_since or now
        if refused:
            delivery.save(update_fields=changed)
            _endpoint_disable(endpoint, reason=error, now=now)
            return
        if status_code == GONE:
            delivery.save(update_fields=changed)
            _endpoint_disable(endpoint, reason="接收方答复 410 Gone / the receiver answered 410 Gone", now=now)
            return
        if _keeps_failing(endpoint, now=now):
            delivery.save(update_fields=changed)
            _endpoint_disable(
                endpoint,
                reason=f"持续失败 / failing since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC, "
                f"{endpoint.consecutive_failures} consecutive failed attempts",
                now=now,
            )
            return
        endpoint.save(update_fields=["consecutive_failures", "failing_since", "updated_at"])
        delay = retry_delay_seconds(attempt=delivery.attempts)
        if now + timedelta(seconds=delay) > delivery.window_started_at + retry_window():
            delivery.save(update_fields=changed)  # the retries ran out: failed, visibly
            return
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        delivery.save(update_fields=changed)
        outbox_enqueue_many([deliver_message(delivery.pk, delay_seconds=delay)])


def _keeps_failing(endpoint: WebhookEndpoint, *, now: object) -> bool:
    return endpoint.consecutive_failures >= settings.WEBHOOKS_DISABLE_AFTER_FAILURES and (
        endpoint.failing_since <= now - timedelta(hours=settings.WEBHOOKS_DISABLE_AFTER_HOURS)
    )


def delivery_resend(*, delivery_id: int, actor: str) -> bool:
    """Delivers again, same webhook-id and body, with a fresh retry window; False if the endpoint is off."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_related("endpoint").select_for_update(of=("self",)).get(pk=delivery_id)
        )
        if not delivery.endpoint.is_enabled:
            return False
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = None
        delivery.window_started_at = timezone.now()
        delivery.save(update_fields=["status", "next_attempt_at", "window_started_at", "updated_at"])
        audit_record(
            action="webhook.delivery_resent",
            actor=actor,
            application_id=delivery.application_id,
            message_id=delivery.message_id,
        )
        outbox_enqueue_many([deliver_message(delivery.pk)])
    return True


def deliveries_sweep(*, overdue_after: timedelta = timedelta(minutes=2)) -> int:
    """Re-schedules pending deliveries well past their time (a worker died mid-attempt)."""
    cutoff = timezone.now() - overdue_after
    overdue = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=cutoff).values_list(
            "id", flat=True
        )[:500]
    )
    with transaction.atomic():
        outbox_enqueue_many([deliver_message(delivery_id) for delivery_id in overdue])
    return len(overdue)
