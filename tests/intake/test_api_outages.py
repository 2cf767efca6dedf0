"""The API answers through a broken cache or database: unthrottled, or 503 with Retry-After,
never a 500 (found by bench/chaos.py restarting Redis and PostgreSQL under load)."""

import socket

import pytest
from django.db import OperationalError
from django.test import override_settings

from intake.api.errors import api_exception_handler

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on leaving: nothing listens there


def test_requests_are_served_unthrottled_while_the_cache_is_unreachable(api_client_for):
    client = api_client_for("cache-outage")
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # Django's test signals give the cache handler the new settings (and the old ones back).
    with override_settings(CACHES=unreachable):
        answer = client.get("/api/v1/applications/")
    assert answer.status_code == 200, answer.content


def test_a_database_outage_is_a_503_with_retry_after_not_a_500():
    response = api_exception_handler(OperationalError("connection refused"), {})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "temporarily unavailable" in response.data["message"]
