"""What every department simulator does the same way: authentication, run-time configuration,
latency and failure injection, exactly-once processing of work items, and the citizen registry
of public security.

This package is "the outside world": it must not import any platform app.
"""

import csv
import datetime
import hashlib
import hmac
import io
import json
import logging
import math
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from departments import carrier, faces
from departments.licences import entity_type_of
from departments.models import (
    Citizen,
    CitizenPhoto,
    DepartmentConfig,
    MarketEnterprise,
    ProcessedRequest,
    SeenNonce,
    id_number_index,
    keyed_digest,
)
from departments.simulators import Done, simulator_get
from departments.simulators.common import SHENZHEN_TZ
from departments.simulators.market_regulation import registration_authority_of
from departments.validation import (
    id_number_normalize,
    id_number_problem,
    mask_id_number,
    mask_phone,
    mobile_problem,
)

logger = logging.getLogger(__name__)

LATENCY_MS_LIMIT = 60_000
CITIZEN_STATUSES = ("valid", "revoked", "deceased")
CITIZEN_COLUMNS = ("id_number", "name", "phone", "status")
CITIZEN_PHOTO_COLUMN = "photo"


def department_exists(*, department: str) -> bool:
    """A department that takes work items (the six that file a company)."""
    return department in settings.DEPARTMENT_CODES and simulator_get(code=department) is not None


def system_exists(*, system: str) -> bool:
    """Any simulated system served here: the departments, and the carrier, which takes no work
    items but has its own endpoints, token and signing key."""
    return department_exists(department=system) or system in settings.SIMULATED_SYSTEM_CODES


def token_is_valid(*, department: str, authorization: str) -> bool:
    """``Authorization: Bearer <token>`` with this department's own token, in constant time."""
    scheme, _, token = authorization.strip().partition(" ")
    expected = settings.DEPARTMENT_TOKENS.get(department, "")
    if scheme.lower() != "bearer" or not token.strip() or not expected:
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


# --- replay protection ------------------------------------------------------------------------
# One accepted request in this many also deletes the expired nonces: the table stays bounded
# without a delete (and its row locks) on every request.
NONCE_PRUNE_EVERY = 64


def nonce_record(*, department: str, nonce: str, expires_at: datetime) -> bool:
    """Remembers a signed request's nonce; False when this department has already seen it.

    The unique constraint decides, so two processes racing with the same captured request cannot
    both get through. One statement that inserts or does nothing, instead of an insert in a
    transaction of its own that fails: every signed request pays for it, and the transaction
    cost two more round trips than the insert (PostgreSQL and SQLite both run it).
    """
    if secrets.randbelow(NONCE_PRUNE_EVERY) == 0:
        nonces_prune(now=timezone.now())
    with connection.cursor() as cursor:
        expiry = SeenNonce._meta.get_field("expires_at").get_db_prep_save(expires_at, connection)
        cursor.execute(_NONCE_INSERT_SQL, [department, nonce, expiry])
        first = cursor.fetchone() is not None
    if not first:
        logger.warning("department=%s refused a replayed request", department)
    return first


_NONCE_INSERT_SQL = (
    f"INSERT INTO {SeenNonce._meta.db_table} (department, nonce, expires_at) VALUES (%s, %s, %s)"
    " ON CONFLICT (department, nonce) DO NOTHING RETURNING id"
)


def nonces_prune(*, now: datetime) -> int:
    """Forgets nonces whose timestamps the signature check refuses by itself by now."""
    deleted, _ = SeenNonce.objects.filter(expires_at__lt=now).delete()
    return deleted


def nonce_expiry(*, timestamp: int, max_age_seconds: int) -> datetime:
    return datetime.datetime.fromtimestamp(timestamp, tz=timezone.get_current_timezone()) + timedelta(
        seconds=max_age_seconds
    )


# --- configuration --------------------------------------------------------------------------
class ConfigInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid department configuration")
        self.errors = errors


def _default_latency() -> tuple[int, int]:
    raw = str(settings.DEPARTMENT_LATENCY_MS).strip()
    low, _, high = raw.partition("-")
    try:
        latency_min = int(low)
        latency_max = int(high) if high else latency_min
    except ValueError as exc:
        raise ImproperlyConfigured("DEPARTMENT_LATENCY_MS must look like '20-150' or '50'") from exc
    if not 0 <= latency_min <= latency_max:
        raise ImproperlyConfigured("DEPARTMENT_LATENCY_MS must be a range of non-negative milliseconds")
    return latency_min, latency_max


def config_get(*, department: str) -> DepartmentConfig:
    """The department's switches, read from the database every time: a change made through any
    process applies at once in all of them."""
    config = DepartmentConfig.objects.filter(department=department).first()
    if config is not None:
        return config
    latency_min, latency_max = _default_latency()
    config, _created = DepartmentConfig.objects.get_or_create(
        department=department,
        defaults={
            "latency_ms_min": latency_min,
            "latency_ms_max": latency_max,
            "failure_rate": float(settings.DEPARTMENT_FAILURE_RATE),
        },
    )
    return config


def config_as_dict(config: DepartmentConfig) -> dict[str, Any]:
    return {
        "latency_ms_min": config.latency_ms_min,
        "latency_ms_max": config.latency_ms_max,
        "failure_rate": config.failure_rate,
    }


def config_update(*, department: str, changes: Any) -> DepartmentConfig:
    """Apply any of the three switches; the others keep their value. Raises ``ConfigInvalid``."""
    if not isinstance(changes, dict):
        raise ConfigInvalid({"body": ["expected a JSON object"]})
    errors: dict[str, list[str]] = {}
    for key in changes:
        if key not in ("latency_ms_min", "latency_ms_max", "failure_rate"):
            errors[str(key)] = ["unknown setting"]
    for key in ("latency_ms_min", "latency_ms_max"):
        if key in changes:
            value = changes[key]
            if isinstance(value, bool) or not isinstance(value, int):
                errors[key] = ["must be an integer number of milliseconds"]
            elif not 0 <= value <= LATENCY_MS_LIMIT:
                errors[key] = [f"must be between 0 and {LATENCY_MS_LIMIT}"]
    if "failure_rate" in changes:
        value = changes["failure_rate"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            errors["failure_rate"] = ["must be a number"]
        elif not 0 <= value <= 1:
            errors["failure_rate"] = ["must be between 0 and 1"]
    if errors:
        raise ConfigInvalid(errors)
    with transaction.atomic():
        config = config_get(department=department)
        config = DepartmentConfig.objects.select_for_update().get(pk=config.pk)
        for key, value in changes.items():
            setattr(config, key, float(value) if key == "failure_rate" else value)
        if config.latency_ms_min > config.latency_ms_max:
            raise ConfigInvalid({"latency_ms_min": ["must not exceed latency_ms_max"]})
        config.save()
    logger.info("department=%s config changed: %s", department, config_as_dict(config))
    return config


# --- work items -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    replayed: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def _fingerprint(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # Keyed: the body holds ID numbers, which a plain hash would let anyone recover by trying.
    return keyed_digest(hashlib.sha256(canonical.encode()).hexdigest())


def _flatten_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as ``{"company.name": [...], "shareholders.0.id_number": [...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            # A nested object's or list's own error belongs to that field itself.
            path = prefix if prefix and key == "non_field_errors" else f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten_errors(value, path))
    elif isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        flat[prefix or "non_field_errors"] = [str(item) for item in errors]
    elif isinstance(errors, list):
        for index, item in enumerate(errors):
            if item:
                flat.update(_flatten_errors(item, f"{prefix}.{index}"))
    else:
        flat[prefix or "non_field_errors"] = [str(errors)]
    return flat


def _replay(*, stored: ProcessedRequest, fingerprint: str) -> Reply:
    if stored.request_fingerprint != fingerprint:
        return Reply(
            409,
            {"error": "this Idempotency-Key was already used with a different request body"},
        )
    return Reply(stored.status_code, stored.response_body, replayed=True)


def _inject_latency_and_failure(*, department: str) -> Reply | None:
    config = config_get(department=department)
    if config.latency_ms_max > 0:
        time.sleep(random.uniform(config.latency_ms_min, config.latency_ms_max) / 1000)
    if config.failure_rate > 0 and random.random() < config.failure_rate:
        logger.info("department=%s simulated outage", department)
        return Reply(503, {"error": "simulated outage"}, headers={"Retry-After": "1"})
    return None


def request_process(*, department: str, idempotency_key: str, body: Any) -> Reply:
    """Handle one work item exactly once in effect.

    The first request with a key is processed and its answer stored under a unique constraint
    on the key; a repeat, even one racing the first, gets the stored answer back.

    The constraint decides, not a lookup before the work: a first request (nearly every one)
    costs no query for an answer that is not there. A repeat does the work again inside the
    transaction, meets the key's constraint when it records its answer, rolls all of it back and
    gets the stored answer instead. A body that cannot be processed is checked against the key
    too, so a reused key still gets its 409 (or its answer) rather than a 400.
    """
    simulator = simulator_get(code=department)
    if simulator is None:
        raise LookupError(department)
    outage = _inject_latency_and_failure(department=department)
    if outage is not None:
        return outage

    fingerprint = _fingerprint(body)
    model = simulator.request_model
    serializer = simulator.input_serializer(data=body) if isinstance(body, dict) else None
    if serializer is None or not serializer.is_valid():
        stored = model.objects.filter(idempotency_key=idempotency_key).first()
        if stored is not None:
            return _replay(stored=stored, fingerprint=fingerprint)
        if serializer is None:
            return Reply(400, {"errors": {"non_field_errors": ["the body must be a JSON object"]}})
        return Reply(400, {"errors": _flatten_errors(serializer.errors)})

    try:
        # The department's work and the record of the answer commit together or not at all.
        with transaction.atomic():
            outcome = simulator.process(data=serializer.validated_data, now=timezone.now())
            if isinstance(outcome, Done):
                reply = Reply(201, {"status": "done", "result": outcome.result})
            else:
                reply = Reply(422, {"status": "refused", "reason": outcome.reason, "reason_en": outcome.reason_en})
            model.objects.create(
                idempotency_key=idempotency_key,
                request_fingerprint=fingerprint,
                request_body=body,
                status_code=reply.status,
                response_body=reply.body,
            )
    except IntegrityError:
        # The key was answered before (a repeat), or a concurrent duplicate committed first:
        # that answer is the answer, and this attempt's work was rolled back with it.
        stored = model.objects.filter(idempotency_key=idempotency_key).first()
        if stored is None:
            raise
        return _replay(stored=stored, fingerprint=fingerprint)
    logger.info("department=%s work item answered %s", department, reply.status)
    return reply


def request_stored(*, department: str, idempotency_key: str) -> dict[str, Any] | None:
    """The stored answer to a key: its status code, body and time; never the request body."""
    simulator = simulator_get(code=department)
    if simulator is None:
        raise LookupError(department)
    stored = (
        simulator.request_model.objects.filter(idempotency_key=idempotency_key)
        .only("idempotency_key", "status_code", "response_body", "created_at")
        .first()
    )
    if stored is None:
        return None
    return {
        "idempotency_key": stored.idempotency_key,
        "status_code": stored.status_code,
        "response": stored.response_body,
        "created_at": stored.created_at.isoformat(),
    }


# --- electronic business licences (market regulation) --------------------------------------
def licence_status(*, number: str) -> dict[str, Any] | None:
    """What a printed licence shows, and whether the authority still stands behind it.

    A licence stops being valid when the authority revokes it (吊销) or the company is
    cancelled (注销); ``ended`` says which.
    """
    enterprise = MarketEnterprise.objects.filter(license_number=number).first()
    if enterprise is None:
        return None
    if enterprise.licence_revoked_at is not None:
        ended, ended_at = "revoked", enterprise.licence_revoked_at
    elif enterprise.status == MarketEnterprise.Status.CANCELLED:
        ended, ended_at = "cancelled", enterprise.cancelled_at
    else:
        ended, ended_at = None, None
    return {
        "number": enterprise.license_number,
        "status": "revoked" if ended else "valid",
        "ended": ended,
        "revoked_at": ended_at.isoformat() if ended_at else None,
        "name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "entity_type": entity_type_of(enterprise.name),
        "registered_capital": f"{enterprise.registered_capital:.2f}",
        "legal_representative": enterprise.legal_representative_name,
        "established_on": enterprise.registered_at.astimezone(SHENZHEN_TZ).date().isoformat(),
        "address": enterprise.address,
        "business_scope": enterprise.business_scope,
        "registration_authority": registration_authority_of(enterprise.region_code),
    }


def licence_revoke(*, number: str, reason: str) -> bool:
    """Revokes a licence (the company was struck off, the licence reissued); False if unknown."""
    updated = MarketEnterprise.objects.filter(license_number=number, licence_revoked_at__isnull=True).update(
        licence_revoked_at=timezone.now(), licence_revocation_reason=reason[:200]
    )
    return bool(updated) or MarketEnterprise.objects.filter(license_number=number).exists()


# --- citizen registry (public security) -----------------------------------------------------
@dataclass(frozen=True)
class CitizenCheck:
    found: bool
    name_matches: bool
    status: str | None


def citizen_verify(*, id_number: str, name: str) -> CitizenCheck:
    """Whether an ID number is registered, to that name, and its status. Least privilege: the
    registry's own name and phone never leave the department."""
    # The number is encrypted at rest: it is found through its blind index.
    citizen = Citizen.objects.filter(id_number_index=id_number_index(id_number)).only("name", "status").first()
    if citizen is None:
        return CitizenCheck(found=False, name_matches=False, status=None)
    return CitizenCheck(found=True, name_matches=citizen.name == name.strip(), status=citizen.status)


class CitizenImportRejected(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


@dataclass
class _CitizenRows:
    citizens: list[Citizen] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # ID number -> (picture bytes, content type), for the rows that name a photo.
    photos: dict[str, tuple[bytes, str]] = field(default_factory=dict)


def _photo_problem(*, path: str, photos: dict[str, bytes] | None) -> tuple[str | None, tuple[bytes, str] | None]:
    """Why the row's photo cannot be stored (None when it can), and the photo itself.

    The path is not repeated in the message: registry photos are often named after the ID number.
    """
    if photos is None or path not in photos:
        return "the photo file does not exist or was not sent / 照片文件不存在", None
    data = photos[path]
    try:
        image_format = faces.image_check(data)
    except faces.ImageInvalid as exc:
        return f"photo: {exc}", None
    return None, (data, "image/jpeg" if image_format == "JPEG" else "image/png")


def _citizen_rows(*, csv_text: str, photos: dict[str, bytes] | None = None) -> _CitizenRows:
    """Parse and check every row; messages carry physical line numbers and masked values.

    The optional ``photo`` column names a file among ``photos`` (paths as written in the CSV).
    """
    rows = _CitizenRows()
    errors = rows.errors
    reader = csv.reader(io.StringIO(csv_text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        errors.append({"line": 1, "message": "the file is empty; expected a header row / 文件为空"})
        return rows
    except csv.Error as exc:
        errors.append({"line": 1, "message": f"unreadable CSV: {exc}"})
        return rows
    columns = [name.strip().lower() for name in header]
    missing = [name for name in CITIZEN_COLUMNS if name not in columns]
    if missing:
        errors.append({"line": 1, "message": f"missing columns / 缺少列: {', '.join(missing)}"})
        return rows
    position = {name: columns.index(name) for name in CITIZEN_COLUMNS}
    photo_position = columns.index(CITIZEN_PHOTO_COLUMN) if CITIZEN_PHOTO_COLUMN in columns else None
    width = max(position.values()) + 1

    citizens = rows.citizens
    first_line_of: dict[str, int] = {}
    last_line = reader.line_num
    while True:
        line = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append({"line": line, "message": f"unreadable CSV: {exc}"})
            break
        last_line = reader.line_num
        if not any(value.strip() for value in record):
            continue
        if len(record) < width:
            errors.append({"line": line, "message": f"expected {len(columns)} columns, found {len(record)}"})
            continue
        raw_id = record[position["id_number"]].strip()
        name = record[position["name"]].strip()
        phone = record[position["phone"]].strip()
        status = record[position["status"]].strip().lower()

        problems: list[str] = []
        id_number = id_number_normalize(raw_id)
        id_problem = id_number_problem(raw_id)
        if id_problem:
            problems.append(f"{id_problem} ({mask_id_number(raw_id)})")
        elif id_number in first_line_of:
            problems.append(
                f"duplicate ID number {mask_id_number(id_number)}, first on line {first_line_of[id_number]}"
                " / 身份证号码重复"
            )
        if not name:
            problems.append("name is empty / 姓名为空")
        elif len(name) > 64:
            problems.append("name is longer than 64 characters / 姓名过长")
        phone_problem = mobile_problem(phone)
        if phone_problem:
            # The phone is masked, never echoed: an invalid number may still be someone's.
            problems.append(f"{phone_problem} ({mask_phone(phone)})")
        if status not in CITIZEN_STATUSES:
            problems.append("status must be valid, revoked or deceased / 状态应为 valid、revoked 或 deceased")
        photo_path = (
            record[photo_position].strip() if photo_position is not None and photo_position < len(record) else ""
        )
        photo = None
        if photo_path:
            photo_problem, photo = _photo_problem(path=photo_path, photos=photos)
            if photo_problem:
                problems.append(photo_problem)
        if problems:
            errors.extend({"line": line, "message": problem} for problem in problems)
        if not id_problem:
            first_line_of.setdefault(id_number, line)
        if not problems:
            citizens.append(Citizen(id_number=id_number, name=name, phone=phone, status=status))
            if photo is not None:
                rows.photos[id_number] = photo
    if not citizens and not errors:
        errors.append({"line": 2, "message": "the file has no data rows / 文件没有数据行"})
    return rows


def citizens_import(*, csv_text: str, photos: dict[str, bytes] | None = None) -> int:
    """Upsert the citizens of a CSV by ID number, all rows or none. Raises
    ``CitizenImportRejected`` listing every bad row.

    A row with a ``photo`` replaces that citizen's registry photo (``photos`` maps the paths the
    CSV names to the files' bytes); a row without one keeps the photo the citizen has. Each phone
    is registered with the mobile carrier as held in that citizen's name; when two rows give the
    same phone, the later row holds it, as when a carrier reassigns a number.
    """
    rows = _citizen_rows(csv_text=csv_text, photos=photos)
    if rows.errors:
        raise CitizenImportRejected(rows.errors)
    citizens = rows.citizens
    with transaction.atomic():
        # One INSERT ... ON CONFLICT per batch: 100k rows are a few dozen statements. The blind
        # index is the unique key (bulk_create computes it through the field's pre_save).
        Citizen.objects.bulk_create(
            citizens,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["id_number_index"],
            update_fields=["name", "phone", "status", "updated_at"],
        )
        if rows.photos:
            _citizen_photos_store(photos=rows.photos)
        carrier.subscribers_register(
            subscribers=[(citizen.phone, citizen.name, citizen.id_number) for citizen in citizens]
        )
    logger.info("department=public_security imported %d citizens (%d photos)", len(citizens), len(rows.photos))
    return len(citizens)


def _citizen_photos_store(*, photos: dict[str, tuple[bytes, str]]) -> None:
    indexes = {id_number_index(id_number): id_number for id_number in photos}
    ids = dict(Citizen.objects.filter(id_number_index__in=list(indexes)).values_list("id_number_index", "id"))
    CitizenPhoto.objects.bulk_create(
        [
            CitizenPhoto(citizen_id=ids[index], image=photos[id_number][0], content_type=photos[id_number][1])
            for index, id_number in indexes.items()
        ],
        batch_size=200,
        update_conflicts=True,
        unique_fields=["citizen"],
        update_fields=["image", "content_type", "updated_at"],
    )


class FaceImageRejected(Exception):
    def __init__(self, message: str, *, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


def citizen_face_compare(*, id_number: str, selfie: bytes) -> faces.Comparison:
    """Compare a selfie with the registry photo of ``id_number``; the selfie is not kept.

    An unknown ID number, or a citizen without a photo, is ``no_photo``. Raises
    ``FaceImageRejected`` for a selfie that is not a JPEG or PNG image or is too large.
    """
    photo = (
        CitizenPhoto.objects.filter(citizen__id_number_index=id_number_index(id_number))
        .values_list("image", flat=True)
        .first()
    )
    try:
        # The photo column decrypts as it is read (EncryptedBinaryField).
        comparison = faces.faces_compare(registry_photo=bytes(photo) if photo else None, selfie=selfie)
    except faces.ImageInvalid as exc:
        raise FaceImageRejected(str(exc), problem=exc.problem) from None
    # The outcome and distance only: no number, no name, no picture.
    logger.info("department=public_security face comparison: %s", comparison.outcome)
    return comparison


# --- market regulation: the enterprise register -----------------------------------------------


class CancelInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(str(errors))


class EnterpriseNotFound(Exception):
    pass


def market_enterprise_cancel(*, credit_code: str, body: Any) -> dict[str, Any]:
    """Cancel a company in the market register; ``body`` may carry ``cancelled_on`` (a date)."""
    from departments.simulators import market_regulation

    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise CancelInvalid({"body": ["expected a JSON object"]})
    cancelled_at = timezone.now()
    given = body.get("cancelled_on")
    if given not in (None, ""):
        try:
            day = datetime.date.fromisoformat(str(given))
        except ValueError:
            raise CancelInvalid({"cancelled_on": ["expected a date like 2025-06-01"]}) from None
        if day > timezone.localdate():
            raise CancelInvalid({"cancelled_on": ["a cancellation cannot lie in the future"]})
        cancelled_at = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    try:
        enterprise = market_regulation.enterprise_cancel(
            credit_code=credit_code.strip().upper(), cancelled_at=cancelled_at
        )
    except market_regulation.EnterpriseNotFound:
        raise EnterpriseNotFound(credit_code) from None
    return market_regulation.enterprise_as_dict(enterprise)
