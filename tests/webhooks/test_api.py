"""The webhook API (CONTRACT §6): registration, the secret shown once, scoping, the SSRF guard."""

import pytest
from rest_framework.test import APIClient

from accounts.services import api_client_create
from audit.models import AuditEvent
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_registering_returns_the_secret_once_and_listing_never_shows_it(integrator, receiver):
    created = integrator.api.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["application.completed"]}, format="json"
    )

    assert created.status_code == 201
    body = created.json()
    assert set(body) >= {"id", "url", "events", "secret"}
    assert body["secret"].startswith("whsec_")
    assert (body["url"], body["events"]) == (receiver.url, ["application.completed"])
    listed = integrator.api.get("/api/v1/webhooks/").json()
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert body["secret"] not in integrator.api.get("/api/v1/webhooks/").content.decode()
    # Encrypted at rest: the column does not hold the secret.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint")
        assert body["secret"] not in cursor.fetchone()[0]
    assert AuditEvent.objects.filter(action="webhook.endpoint_created").count() == 1


def test_another_client_cannot_see_or_delete_an_endpoint(integrator, receiver):
    endpoint = integrator.register(receiver.url, ["department.done"])
    _, key = api_client_create(name="other")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert other.get("/api/v1/webhooks/").json() == []
    assert other.delete(f"/api/v1/webhooks/{endpoint['id']}/").status_code == 404
    assert other.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").status_code == 404
    assert integrator.api.delete(f"/api/v1/webhooks/{endpoint['id']}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_unauthenticated_requests_are_refused():
    assert APIClient().get("/api/v1/webhooks/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.5/hooks", "private"),
        ("http://192.168.1.20:8080/hooks", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/hooks", "link-local"),
        ("http://[::ffff:10.1.2.3]/hooks", "private"),
        ("http://0.0.0.0/hooks", "private"),
        ("ftp://example.org/hooks", "http"),
        ("http://user:pass@127.0.0.1/hooks", "credentials"),
    ],
)
def test_a_private_address_is_refused_and_nothing_is_stored(integrator, url, reason):
    response = integrator.api.post("/api/v1/webhooks/", {"url": url, "events": ["department.done"]}, format="json")

    assert response.status_code == 400, response.json()
    assert reason in " ".join(response.json()["errors"]["url"])
    assert not WebhookEndpoint.objects.exists()


def test_loopback_is_refused_unless_the_setting_allows_it(integrator, receiver, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    refused = integrator.api.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["department.done"]}, format="json"
    )
    assert refused.status_code == 400
    assert "loopback" in refused.json()["errors"]["url"][0]

    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert integrator.register(receiver.url, ["department.done"])["url"] == receiver.url


def test_unknown_or_missing_events_are_a_clear_400(integrator, receiver):
    unknown = integrator.api.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["order.shipped"]}, format="json"
    )
    empty = integrator.api.post("/api/v1/webhooks/", {"url": receiver.url, "events": []}, format="json")

    assert unknown.status_code == empty.status_code == 400
    assert "events" in unknown.json()["errors"] and "events" in empty.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


def test_the_schema_describes_the_webhook_routes_with_examples(integrator):
    schema = integrator.api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/webhooks/"])
    assert "delete" in paths["/api/v1/webhooks/{endpoint_id}/"]
    assert "get" in paths["/api/v1/webhooks/{endpoint_id}/deliveries/"]
    post = paths["/api/v1/webhooks/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["examples"]
