"""The transport contract every department shares: routing, methods, bearer tokens, health."""

import json

import pytest

from tests.departments.conftest import SignedClient, auth, body_for

pytestmark = pytest.mark.django_db

CODES = ["market_regulation", "tax", "public_security", "social_security", "housing_fund", "bank"]


@pytest.mark.parametrize("code", CODES)
def test_health_needs_no_token(code):
    response = SignedClient().get(f"/departments/{code}/health/")
    assert response.status_code == 200
    assert response.json() == {"department": code, "status": "ok"}


def test_unknown_department_is_404():
    client = SignedClient()
    assert client.get("/departments/weather_bureau/health/").status_code == 404
    response = client.post(
        "/departments/weather_bureau/requests/", data="{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 404
    assert response.json() == {"error": "unknown department"}


def test_citizen_endpoints_exist_only_at_public_security():
    response = SignedClient().post(
        "/departments/tax/citizens/verify/", data="{}", content_type="application/json", **auth("tax")
    )
    assert response.status_code == 404


def test_missing_token_is_401(departments):
    response = departments.client.post(
        "/departments/tax/requests/",
        data=json.dumps(body_for("tax")),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 401
    assert "error" in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_token_is_401(departments):
    response = departments.submit("tax", body_for("tax"), token="not-the-token")
    assert response.status_code == 401


def test_another_departments_token_is_refused(departments, settings):
    response = departments.submit("tax", body_for("tax"), token=settings.DEPARTMENT_TOKENS["bank"])
    assert response.status_code == 401


def test_non_bearer_scheme_is_refused(settings):
    response = SignedClient().get(
        "/departments/tax/config/", HTTP_AUTHORIZATION=f"Token {settings.DEPARTMENT_TOKENS['tax']}"
    )
    assert response.status_code == 401


def test_config_needs_the_token():
    assert SignedClient().get("/departments/tax/config/").status_code == 401


def test_wrong_method_is_405_json():
    response = SignedClient().get("/departments/tax/requests/", **auth("tax"))
    assert response.status_code == 405
    assert response.json() == {"error": "method not allowed"}


def test_no_csrf_and_no_session_needed(settings):
    # Systems call the departments: a CSRF-enforcing client must still get through.
    client = SignedClient(enforce_csrf_checks=True)
    response = client.post(
        "/departments/housing_fund/requests/",
        data=json.dumps(body_for("housing_fund")),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
        **auth("housing_fund"),
    )
    assert response.status_code == 201
    assert "sessionid" not in response.cookies


def test_invalid_json_is_400(departments):
    response = departments.client.post(
        "/departments/tax/requests/",
        data="{not json",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
        **auth("tax"),
    )
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


@pytest.mark.parametrize("key", [None, "", "k" * 201])
def test_idempotency_key_is_required(departments, key):
    response = departments.submit("tax", body_for("tax"), key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_unsigned_and_altered_requests_are_refused():
    body = json.dumps(body_for("tax"))
    unsigned = SignedClient().post(
        "/departments/tax/requests/",
        data=body,
        content_type="application/json",
        unsigned=True,
        HTTP_IDEMPOTENCY_KEY="k",
        **auth("tax"),
    )
    assert unsigned.status_code == 401
    assert "not signed" in unsigned.json()["error"]

    client = SignedClient()
    signed = client.post(
        "/departments/tax/requests/",
        data=body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
        **auth("tax"),
    )
    assert signed.status_code == 201

    # The same signature on an altered body (a tampered registered capital) is refused.
    original = client.post(
        "/departments/tax/requests/",
        data=body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k2",
        **auth("tax"),
    ).request
    altered = body.replace("1000000.00", "9000000.00")
    assert altered != body
    tampered = SignedClient().post(
        "/departments/tax/requests/",
        data=altered,
        content_type="application/json",
        unsigned=True,
        HTTP_IDEMPOTENCY_KEY="k3",
        HTTP_X_ONEWINDOW_TIMESTAMP=original["HTTP_X_ONEWINDOW_TIMESTAMP"],
        HTTP_X_ONEWINDOW_NONCE=original["HTTP_X_ONEWINDOW_NONCE"],
        HTTP_X_ONEWINDOW_SIGNATURE=original["HTTP_X_ONEWINDOW_SIGNATURE"],
        **auth("tax"),
    )
    assert tampered.status_code == 401
    assert "does not match" in tampered.json()["error"]
