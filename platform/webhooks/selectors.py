from django.db.models import Prefetch, QuerySet

from accounts.models import ApiClient
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

DELIVERY_LOG_LIMIT = 100


def endpoints_for_client(*, client: ApiClient) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(api_client=client)


def deliveries_for_endpoint(*, endpoint: WebhookEndpoint, limit: int = DELIVERY_LOG_LIMIT) -> QuerySet[WebhookDelivery]:
    """The newest deliveries with their attempts (two queries, through the endpoint index)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .order_by("-id")
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("id")))[:limit]
    )
