"""Attacks on the signed department protocol: replay, clock skew, altered query or host, old
signature version, oversized bodies, and guessable credentials."""

import io
import json
import os
import stat
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from departments import models, services
from departments.views import JSON_BODY_MAX_BYTES
from tests.departments.conftest import auth, body_for, signature_headers

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
URL = "/departments/housing_fund/requests/"


def _post(client: Client, body: bytes, headers: dict[str, str], *, key: str = "k-1", path: str = URL, **extra):
    return client.post(
        path,
        data=body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **auth("housing_fund"),
        **headers,
        **extra,
    )


def _signed(body: bytes, *, path: str = URL, method: str = "POST", **changes) -> dict[str, str]:
    return signature_headers("housing_fund", method=method, path=path, body=body, **changes)


def test_a_replayed_signed_request_is_refused():
    body = json.dumps(body_for("housing_fund")).encode()
    headers = _signed(body)
    client = Client()
    assert _post(client, body, headers).status_code == 201
    # The very same bytes, headers and signature again: captured on the wire and sent back.
    replay = _post(client, body, headers)
    assert replay.status_code == 401
    assert "replay" in replay.json()["error"]
    # Even under another idempotency key (which is not signed) it is the same request.
    assert _post(client, body, headers, key="k-other").status_code == 401
    assert models.HousingFundRequest.objects.count() == 1


def test_the_platform_client_sends_a_fresh_nonce_each_time():
    from exchange.client import DepartmentAuth, department_http_client

    with department_http_client() as client:
        sent = []
        for _ in range(2):
            response = client.get("housing_fund/config/", auth=DepartmentAuth("housing_fund"))
            assert response.status_code == 200, response.text
            sent.append(response.request.headers["X-OneWindow-Nonce"])
    assert sent[0] != sent[1]
    assert models.SeenNonce.objects.filter(department="housing_fund").count() == 2


@pytest.mark.parametrize(("offset", "status"), [(60, 401), (10, 201), (-290, 201), (-301, 401)])
def test_clock_skew_is_bounded(offset, status):
    body = json.dumps(body_for("housing_fund")).encode()
    response = _post(Client(), body, _signed(body, timestamp=int(time.time()) + offset))
    assert response.status_code == status
    if status == 401:
        assert "future" in response.json()["error"] or "expired" in response.json()["error"]


def test_the_query_string_is_signed():
    signed = _signed(b"", method="GET", path="/departments/housing_fund/config/?view=full")
    client = Client()
    assert (
        client.get("/departments/housing_fund/config/?view=full", **auth("housing_fund"), **signed).status_code == 200
    )
    signed = _signed(b"", method="GET", path="/departments/housing_fund/config/?view=full")
    altered = client.get("/departments/housing_fund/config/?view=other", **auth("housing_fund"), **signed)
    assert altered.status_code == 401
    assert "does not match" in altered.json()["error"]
    # Parameters may arrive in another order or encoding: the canonical form is the same.
    signed = _signed(b"", method="GET", path="/departments/housing_fund/config/?b=2&a=%E4%B8%AD")
    reordered = client.get("/departments/housing_fund/config/?a=中&b=2", **auth("housing_fund"), **signed)
    assert reordered.status_code == 200


def test_the_host_is_signed():
    body = json.dumps(body_for("housing_fund")).encode()
    headers = _signed(body, host="departments.internal")
    response = _post(Client(), body, headers)  # served as "testserver"
    assert response.status_code == 401
    assert "does not match" in response.json()["error"]


def test_signature_version_1_is_refused():
    body = json.dumps(body_for("housing_fund")).encode()
    headers = _signed(body)
    headers["HTTP_X_ONEWINDOW_SIGNATURE"] = "sha256=" + "0" * 64
    response = _post(Client(), body, headers)
    assert response.status_code == 401
    assert "version 1" in response.json()["error"]


@pytest.mark.parametrize("nonce", ["", "abc", "G" * 32, "0" * 31])
def test_a_malformed_nonce_is_refused(nonce):
    body = json.dumps(body_for("housing_fund")).encode()
    headers = _signed(body)
    headers["HTTP_X_ONEWINDOW_NONCE"] = nonce
    assert _post(Client(), body, headers).status_code == 401


class _Unreadable(io.RawIOBase):
    """A request stream that fails the test if anyone reads from it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:
        raise AssertionError("the department read the body of an oversized request")


def test_an_oversized_content_length_is_refused_before_the_body_is_read():
    declared = JSON_BODY_MAX_BYTES + 1
    headers = _signed(b"")
    response = Client().generic(
        "POST",
        URL,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-big",
        CONTENT_LENGTH=str(declared),
        **{"wsgi.input": _Unreadable()},
        **auth("housing_fund"),
        **headers,
    )
    assert response.status_code == 413
    assert models.SeenNonce.objects.count() == 0


def test_an_oversized_body_is_refused_and_a_large_import_is_not():
    big = json.dumps({**body_for("housing_fund"), "padding": "x" * JSON_BODY_MAX_BYTES}).encode()
    assert _post(Client(), big, _signed(big)).status_code == 413
    # The citizens import keeps its own, larger limit.
    rows = "".join(f"11010519850312{n:04d},张{n},13800138000,valid\n" for n in range(1))
    csv_text = ("id_number,name,phone,status\n" + rows + "#" * (2 * 1024 * 1024)).encode()
    path = "/departments/public_security/citizens/import/"
    response = Client().post(
        path,
        data=csv_text,
        content_type="text/csv",
        **auth("public_security"),
        **signature_headers("public_security", method="POST", path=path, body=csv_text),
    )
    assert response.status_code == 400  # read, verified and parsed: the padding is a bad row, not a 413
    assert response.json()["errors"]


def test_unsigned_requests_are_refused_before_anything_else():
    body = json.dumps(body_for("housing_fund")).encode()
    response = _post(Client(), body, {})
    assert response.status_code == 401
    assert "not signed" in response.json()["error"]


def test_expired_nonces_are_pruned():
    now = timezone.now()
    models.SeenNonce.objects.create(department="tax", nonce="a" * 32, expires_at=now - timedelta(seconds=1))
    models.SeenNonce.objects.create(department="tax", nonce="b" * 32, expires_at=now + timedelta(seconds=100))
    assert services.nonces_prune(now=now) == 1
    assert list(models.SeenNonce.objects.values_list("nonce", flat=True)) == ["b" * 32]


def test_a_nonce_is_taken_once_per_department_and_a_repeat_leaves_the_transaction_usable():
    expires = timezone.now() + timedelta(seconds=300)
    with transaction.atomic():
        assert services.nonce_record(department="tax", nonce="c" * 32, expires_at=expires) is True
        assert services.nonce_record(department="tax", nonce="c" * 32, expires_at=expires) is False
        assert services.nonce_record(department="bank", nonce="c" * 32, expires_at=expires) is True
        # The refused repeat raised nothing, so the transaction goes on.
        assert models.SeenNonce.objects.filter(nonce="c" * 32).count() == 2
    stored = models.SeenNonce.objects.get(department="tax", nonce="c" * 32)
    assert stored.expires_at == expires
    assert services.nonces_prune(now=expires + timedelta(seconds=1)) == 2


def test_deeply_nested_json_is_a_400_not_a_500():
    body = b"[" * 100_000
    response = _post(Client(), body, _signed(body))
    assert response.status_code == 400


# --- credentials ---------------------------------------------------------------------------------


def test_embedded_credentials_are_random_per_install_and_private(tmp_path):
    from config.embedded_credentials import CREDENTIALS_FILE_NAME, embedded_department_credentials

    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = embedded_department_credentials(var_dir=tmp_path / "one", codes=["tax", "bank"])
    again = embedded_department_credentials(var_dir=tmp_path / "one", codes=["tax", "bank"])
    other_install = embedded_department_credentials(var_dir=tmp_path / "two", codes=["tax", "bank"])
    assert first == again
    assert first["tax"]["token"] != other_install["tax"]["token"]
    assert first["tax"]["token"] != first["bank"]["token"]
    assert "tax" not in first["tax"]["token"] and len(first["tax"]["signing_key"]) >= 48
    assert stat.S_IMODE((tmp_path / "one" / CREDENTIALS_FILE_NAME).stat().st_mode) == 0o600


def test_this_install_uses_no_credential_derivable_from_the_source():
    for code in settings.DEPARTMENT_CODES:
        assert code not in settings.DEPARTMENT_TOKENS[code]
        assert code not in settings.DEPARTMENT_SIGNING_KEYS[code]
        assert "embedded" not in settings.DEPARTMENT_TOKENS[code]
    if settings.DEPARTMENT_CREDENTIALS_GENERATED:  # nothing configured: they come from this install's file
        saved = json.loads((Path(settings.VAR_DIR) / "department-credentials.json").read_text())
        assert saved["tax"]["token"] == settings.DEPARTMENT_TOKENS["tax"]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env={**env, "PYTHONPATH": f"{REPO_ROOT / 'platform'}{os.pathsep}{REPO_ROOT}"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_real_deployment_without_department_credentials_refuses_to_start(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DEPARTMENT_TOKEN_", "DEPARTMENT_SIGNING_KEY_"))
    }
    env.update({"DEPARTMENTS_EMBEDDED": "false", "ONEWINDOW_VAR_DIR": str(tmp_path)})
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEPARTMENT_SIGNING_KEY_TAX" in result.stderr
    assert not (tmp_path / "department-credentials.json").exists()
