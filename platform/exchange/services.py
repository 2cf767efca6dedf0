"""The exchange layer: policy-filtered, token-authenticated, logged calls to departments."""

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Literal

import httpx

from audit.services import audit_record
from exchange.client import DepartmentAuth, department_client
from exchange.models import ExchangeRecord
from exchange.policy import allowed_fields, payload_filter

logger = logging.getLogger(__name__)


class DepartmentUnavailable(Exception):
    """A transient failure (timeout, connection error, 5xx): worth retrying later."""


class DepartmentRequestRefused(Exception):
    """The department refused the request itself (4xx other than a business refusal): retrying won't help."""


@dataclass(frozen=True)
class DepartmentAnswer:
    outcome: Literal["done", "refused"]
    result: dict
    reason: str = ""


def _field_paths(payload: object, prefix: str = "") -> list[str]:
    if isinstance(payload, dict):
        paths: list[str] = []
        for key, value in payload.items():
            paths.extend(_field_paths(value, f"{prefix}{key}."))
        return paths
    if isinstance(payload, list):
        return sorted({path for item in payload for path in _field_paths(item, prefix[:-1] + "[].")})
    return [prefix[:-1]]


def exchange_record(
    *,
    application_id: uuid.UUID | None,
    department: str,
    endpoint: str,
    fields: list[str],
    started: float,
    outcome: str,
    status_code: int | None = None,
    error: str = "",
) -> ExchangeRecord:
    record = ExchangeRecord.objects.create(
        application_id=application_id,
        department=department,
        endpoint=endpoint,
        fields=fields,
        status_code=status_code,
        outcome=outcome,
        duration_ms=int((time.monotonic() - started) * 1000),
        error=error[:300],
    )
    # Field names only, never values: the chained audit log records every data exchange.
    audit_record(
        action="exchange.sent",
        application_id=application_id,
        department=department,
        endpoint=endpoint,
        fields=fields,
        outcome=outcome,
    )
    return record


def department_post(
    *,
    department: str,
    endpoint: str,
    payload: dict,
    application_id: uuid.UUID | None,
    idempotency_key: str | None = None,
    record: bool = True,
) -> httpx.Response:
    """POSTs a payload and logs the exchange; raises DepartmentUnavailable on transient failure.

    `record=False` is for dry-runs, which by contract store nothing.
    """
    fields = _field_paths(payload)
    started = time.monotonic()

    def log(**outcome: object) -> None:
        if record:
            exchange_record(
                application_id=application_id,
                department=department,
                endpoint=endpoint,
                fields=fields,
                started=started,
                **outcome,
            )

    try:
        response = department_client().post(
            f"{department}/{endpoint}",
            json=payload,
            headers={"Idempotency-Key": idempotency_key} if idempotency_key else {},
            auth=DepartmentAuth(department),
        )
    except httpx.HTTPError as error:
        log(outcome="error", error=type(error).__name__)
        raise DepartmentUnavailable(f"{department}: {type(error).__name__}") from error
    transient = response.status_code >= 500 or response.status_code == 429
    log(
        status_code=response.status_code,
        outcome="error" if transient or response.status_code >= 400 and response.status_code != 422 else "ok",
        error=f"HTTP {response.status_code}" if transient else "",
    )
    if transient:
        raise DepartmentUnavailable(f"{department}: HTTP {response.status_code}")
    return response


def department_submit(*, department: str, document: dict, idempotency_key: str) -> DepartmentAnswer:
    """Sends a department its share of the application document; exactly-once via the key."""
    payload = payload_filter(document=document, paths=allowed_fields(department=department))
    application_id = uuid.UUID(document["application_id"]) if document.get("application_id") else None
    response = department_post(
        department=department,
        endpoint="requests/",
        payload=payload,
        application_id=application_id,
        idempotency_key=idempotency_key,
    )
    body = _json_or_empty(response)
    if response.status_code in (200, 201):
        return DepartmentAnswer(outcome="done", result=body.get("result", {}))
    if response.status_code == 422:
        reason = body.get("reason") or "refused"
        if body.get("reason_en"):
            reason = f"{reason} / {body['reason_en']}"
        return DepartmentAnswer(outcome="refused", result={}, reason=reason)
    # Field names only: a department's error text could quote the values it was sent.
    fields = sorted(body.get("errors", {})) if isinstance(body.get("errors"), dict) else []
    raise DepartmentRequestRefused(f"{department} answered HTTP {response.status_code}; fields: {fields}")


def _json_or_empty(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class RegistryImportFailed(Exception):
    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


def citizens_import(*, csv_text: str) -> int:
    """Loads a citizens CSV into the public-security registry (it is theirs, not the platform's)."""
    try:
        response = department_client().post(
            "public_security/citizens/import/",
            content=csv_text.encode("utf-8"),
            headers={"Content-Type": "text/csv; charset=utf-8"},
            auth=DepartmentAuth("public_security"),
            timeout=600,
        )
    except httpx.HTTPError as error:
        raise DepartmentUnavailable(f"public_security: {type(error).__name__}") from error
    body = _json_or_empty(response)
    if response.status_code == 400 and "errors" in body:
        raise RegistryImportFailed([(row["line"], row["message"]) for row in body["errors"]])
    if response.status_code != 200:
        raise DepartmentUnavailable(f"public_security citizens/import answered HTTP {response.status_code}")
    return int(body["imported"])
