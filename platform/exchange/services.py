"""The exchange layer: policy-filtered, token-authenticated, logged calls to departments."""

import base64
import csv
import io
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from config.bulk import rows_insert
from exchange.client import DepartmentAuth, department_client
from exchange.models import ExchangeRecord, SentRequest
from exchange.policy import allowed_fields, allowed_fields_of, payload_filter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExchangeEntry:
    """One exchange with a department, ready to log: field names only, never their values."""

    application_id: uuid.UUID | None
    department: str
    endpoint: str
    fields: list[str]
    outcome: str
    duration_ms: int
    status_code: int | None = None
    error: str = ""


class DepartmentUnavailable(Exception):
    """A transient failure (timeout, connection error, 5xx): worth retrying later."""

    def __init__(self, message: str, *, exchange: ExchangeEntry | None = None) -> None:
        super().__init__(message)
        self.exchange = exchange


class DepartmentRequestRefused(Exception):
    """The department refused the request itself (4xx other than a business refusal): retrying won't help."""

    def __init__(self, message: str, *, exchange: ExchangeEntry | None = None) -> None:
        super().__init__(message)
        self.exchange = exchange


@dataclass(frozen=True)
class DepartmentAnswer:
    outcome: Literal["done", "refused"]
    result: dict
    reason: str = ""
    exchange: ExchangeEntry | None = None


def _field_paths(payload: object, prefix: str = "") -> list[str]:
    if isinstance(payload, dict):
        paths: list[str] = []
        for key, value in payload.items():
            paths.extend(_field_paths(value, f"{prefix}{key}."))
        return paths
    if isinstance(payload, list):
        return sorted({path for item in payload for path in _field_paths(item, prefix[:-1] + "[].")})
    return [prefix[:-1]]


def exchange_record(entry: ExchangeEntry) -> ExchangeRecord:
    """Logs an exchange, in the caller's transaction when there is one."""
    return exchange_records([entry])[0]


def exchange_records(entries: list[ExchangeEntry]) -> list[ExchangeRecord]:
    """Logs exchanges in one insert, in the caller's transaction when there is one."""
    records = [
        ExchangeRecord(
            application_id=entry.application_id,
            department=entry.department,
            endpoint=entry.endpoint,
            fields=entry.fields,
            status_code=entry.status_code,
            outcome=entry.outcome,
            duration_ms=entry.duration_ms,
            error=entry.error[:300],
        )
        for entry in entries
    ]
    rows_insert(records)
    for entry in entries:
        # Field names only, never values: the chained audit log records every data exchange.
        audit_record(
            action="exchange.sent",
            application_id=entry.application_id,
            department=entry.department,
            endpoint=entry.endpoint,
            fields=entry.fields,
            outcome=entry.outcome,
        )
    return records


@dataclass(frozen=True)
class DepartmentResponse:
    response: httpx.Response
    exchange: ExchangeEntry


def department_post(
    *,
    department: str,
    endpoint: str,
    payload: dict,
    application_id: uuid.UUID | None,
    idempotency_key: str | None = None,
    record: bool = True,
) -> DepartmentResponse:
    """POSTs a payload; raises DepartmentUnavailable on transient failure.

    With `record`, the exchange is logged at once; without, the caller logs the returned entry
    in its own transaction (the pipeline does, so the log and the state change commit together;
    dry-runs, which by contract store nothing, simply drop it).
    """
    fields = _field_paths(payload)
    started = time.monotonic()

    def entry(**outcome: object) -> ExchangeEntry:
        logged = ExchangeEntry(
            application_id=application_id,
            department=department,
            endpoint=endpoint,
            fields=fields,
            duration_ms=int((time.monotonic() - started) * 1000),
            **outcome,
        )
        if record:
            exchange_record(logged)
        return logged

    try:
        response = department_client().post(
            f"{department}/{endpoint}",
            json=payload,
            headers={"Idempotency-Key": idempotency_key} if idempotency_key else {},
            auth=DepartmentAuth(department),
        )
    except httpx.HTTPError as error:
        logged = entry(outcome="error", error=type(error).__name__)
        raise DepartmentUnavailable(f"{department}: {type(error).__name__}", exchange=logged) from error
    transient = response.status_code >= 500 or response.status_code == 429
    logged = entry(
        status_code=response.status_code,
        outcome="error" if transient or response.status_code >= 400 and response.status_code != 422 else "ok",
        error=f"HTTP {response.status_code}" if transient else "",
    )
    if transient:
        raise DepartmentUnavailable(f"{department}: HTTP {response.status_code}", exchange=logged)
    return DepartmentResponse(response=response, exchange=logged)


def sent_payload(
    *, department: str, idempotency_key: str, application_id: uuid.UUID | None, build: Callable[[], dict]
) -> dict:
    """The body to send under a key: the one stored on the first attempt, or `build()` stored now.

    Stored before the first send, so that whatever happens to the answer, every repeat of the
    key (a retry, a redelivery, an operator's resend) sends exactly the same body.
    """
    stored = SentRequest.objects.filter(idempotency_key=idempotency_key).only("payload").first()
    if stored is not None:
        return json.loads(stored.payload)
    payload = build()
    try:
        with transaction.atomic():
            SentRequest.objects.create(
                idempotency_key=idempotency_key,
                department=department,
                application_id=application_id,
                payload=json.dumps(payload, ensure_ascii=False),
            )
    except IntegrityError:
        # A concurrent first attempt stored its body first: that body is the one to send.
        return json.loads(SentRequest.objects.only("payload").get(idempotency_key=idempotency_key).payload)
    return payload


def payloads_store(*, document: dict, keys: Mapping[str, str]) -> None:
    """Stores the share each department (key of `keys`) will be sent under its idempotency key.

    The pipeline calls it once when departments become ready, with one document for all of
    them, so that each call only reads its stored body. A key already stored keeps its body.
    """
    if not keys:
        return
    application_id = uuid.UUID(document["application_id"]) if document.get("application_id") else None
    allowlists = allowed_fields_of(departments=keys)
    rows_insert(
        [
            SentRequest(
                idempotency_key=idempotency_key,
                department=department,
                application_id=application_id,
                payload=json.dumps(payload_filter(document=document, paths=allowlists[department]), ensure_ascii=False),
            )
            for department, idempotency_key in keys.items()
        ],
        skip_conflicts=True,
    )


def _share(*, department: str, document: dict) -> dict:
    return payload_filter(document=document, paths=allowed_fields(department=department))


def department_submit(
    *,
    department: str,
    document: dict | Callable[[], dict],
    idempotency_key: str,
    application_id: uuid.UUID | None = None,
) -> DepartmentAnswer:
    """Sends a department its share of the application document; exactly-once via the key.

    The share is filtered by the sharing policy on the first attempt (or by `payloads_store`
    before it) and stored; repeats send the stored share. `document` may be a function that
    builds it, called only when no share is stored yet. A 409 (the department holds another
    body under this key, sent before bodies were stored) is reconciled by fetching the
    department's stored answer.

    The exchange is not logged here: the answer (or the exception) carries the entry, and the
    pipeline logs it in the transaction that records the outcome. Should the process die in
    between, the work item is not finished, so the call is repeated (same key, same answer)
    and logged then.
    """
    build_document = document if callable(document) else lambda: document
    if application_id is None and not callable(document) and document.get("application_id"):
        application_id = uuid.UUID(document["application_id"])
    payload = sent_payload(
        department=department,
        idempotency_key=idempotency_key,
        application_id=application_id,
        build=lambda: _share(department=department, document=build_document()),
    )
    return department_send(
        department=department, payload=payload, idempotency_key=idempotency_key, application_id=application_id
    )


def stored_payloads(*, keys: list[str]) -> dict[str, dict]:
    """The bodies stored under these idempotency keys, by key, in one query (keys with none are absent)."""
    rows = SentRequest.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "payload")
    return {key: json.loads(payload) for key, payload in rows}


def department_send(
    *, department: str, payload: dict, idempotency_key: str, application_id: uuid.UUID | None
) -> DepartmentAnswer:
    """Sends a stored body under its key and reads the answer: HTTP only, no database.

    So that the pipeline can send several departments their bodies at once, from threads that
    hold no database connection. Raises DepartmentUnavailable or DepartmentRequestRefused.
    """
    sent = department_post(
        department=department,
        endpoint="requests/",
        payload=payload,
        application_id=application_id,
        idempotency_key=idempotency_key,
        record=False,
    )
    response = sent.response
    if response.status_code == 409:
        return _stored_answer(department=department, idempotency_key=idempotency_key, exchange=sent.exchange)
    answer = _answer_from(status_code=response.status_code, body=_json_or_empty(response), exchange=sent.exchange)
    if answer is not None:
        return answer
    body = _json_or_empty(response)
    # Field names only: a department's error text could quote the values it was sent.
    fields = sorted(body.get("errors", {})) if isinstance(body.get("errors"), dict) else []
    raise DepartmentRequestRefused(
        f"{department} answered HTTP {response.status_code}; fields: {fields}", exchange=sent.exchange
    )


def _answer_from(*, status_code: int, body: dict, exchange: ExchangeEntry) -> DepartmentAnswer | None:
    """A department's final answer (201 done, 422 refused); None for anything else."""
    if status_code in (200, 201):
        return DepartmentAnswer(outcome="done", result=body.get("result", {}), exchange=exchange)
    if status_code == 422:
        reason = body.get("reason") or "refused"
        if body.get("reason_en"):
            reason = f"{reason} / {body['reason_en']}"
        return DepartmentAnswer(outcome="refused", result={}, reason=reason, exchange=exchange)
    return None


def _stored_answer(*, department: str, idempotency_key: str, exchange: ExchangeEntry) -> DepartmentAnswer:
    """The answer the department stored under the key: a 409 is a repeat, never a failure."""
    reconciled = replace(exchange, outcome="ok", error="HTTP 409 reconciled with the stored answer")
    try:
        response = department_client().get(
            f"{department}/requests/{quote(idempotency_key, safe=':')}/", auth=DepartmentAuth(department)
        )
    except httpx.HTTPError as error:
        raise DepartmentUnavailable(f"{department}: {type(error).__name__}", exchange=reconciled) from error
    body = _json_or_empty(response)
    stored = body.get("response") if isinstance(body.get("response"), dict) else {}
    answer = (
        _answer_from(status_code=int(body.get("status_code") or 0), body=stored, exchange=reconciled)
        if response.status_code == 200
        else None
    )
    if answer is None:
        # Transient as far as we can tell: the department said 409, so it holds an answer.
        raise DepartmentUnavailable(
            f"{department}: stored answer unavailable (HTTP {response.status_code})", exchange=reconciled
        )
    logger.info("department=%s answered 409 for a repeated key; reconciled with its stored answer", department)
    return answer


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


PHOTO_COLUMN = "photo"


def citizen_photos_read(*, csv_text: str, photo_dir: Path) -> dict[str, bytes]:
    """The files the CSV's optional ``photo`` column names, relative to ``photo_dir``, by path.

    A missing file is left out, and public security reports its line. An oversized file is read
    only up to one byte past the limit: enough for public security to refuse it by its line,
    without sending the whole file.
    """
    reader = csv.reader(io.StringIO(csv_text.removeprefix("\ufeff"), newline=""))
    try:
        columns = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        return {}
    if PHOTO_COLUMN not in columns:
        return {}
    position = columns.index(PHOTO_COLUMN)
    photos: dict[str, bytes] = {}
    try:
        for record in reader:
            path = record[position].strip() if position < len(record) else ""
            if not path or path in photos:
                continue
            file = photo_dir / path
            if file.is_file():
                with open(file, "rb") as handle:
                    photos[path] = handle.read(settings.FACE_IMAGE_MAX_BYTES + 1)
    except csv.Error:
        pass  # public security reports the unreadable line itself
    return photos


def citizens_import(*, csv_text: str, photo_dir: Path | None = None) -> int:
    """Loads a citizens CSV into the public-security registry (it is theirs, not the platform's).

    Without a ``photo`` column the CSV goes as it is (``text/csv``). With one, the registry
    photos it names (paths relative to ``photo_dir``, the CSV's folder) travel with it as
    ``{"csv": ..., "photos": {path: base64}}``; public security checks and stores them,
    encrypted. Either way every row is checked there and nothing is stored if one is bad.
    """
    photos = citizen_photos_read(csv_text=csv_text, photo_dir=photo_dir) if photo_dir is not None else {}
    if photos:
        request: dict = {
            "json": {
                "csv": csv_text,
                "photos": {path: base64.b64encode(data).decode("ascii") for path, data in photos.items()},
            }
        }
    else:
        request = {"content": csv_text.encode("utf-8"), "headers": {"Content-Type": "text/csv; charset=utf-8"}}
    try:
        response = department_client().post(
            "public_security/citizens/import/", auth=DepartmentAuth("public_security"), timeout=600, **request
        )
    except httpx.HTTPError as error:
        raise DepartmentUnavailable(f"public_security: {type(error).__name__}") from error
    body = _json_or_empty(response)
    if response.status_code in (400, 413) and "errors" in body:
        raise RegistryImportFailed([(row["line"], row["message"]) for row in body["errors"]])
    if response.status_code != 200:
        raise DepartmentUnavailable(f"public_security citizens/import answered HTTP {response.status_code}")
    return int(body["imported"])


def exchange_records_prune(*, older_than: timedelta) -> int:
    """Deletes exchange records past the retention window (the audit log keeps its own events)."""
    deleted, _ = ExchangeRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def sent_requests_prune(*, older_than: timedelta) -> int:
    """Deletes stored request bodies past the retention window: personal data kept no longer
    than the exchange log that names it."""
    deleted, _ = SentRequest.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
