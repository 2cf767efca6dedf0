"""HTTP face of the department simulators: JSON in and out, bearer tokens, no sessions, no CSRF
(the callers are systems, not browsers). The work is done in ``departments.services``."""

import base64
import binascii
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import serializers

from departments import carrier, faces, licences, services, signing
from departments.simulators.common import IdNumberField, MobileField, person_name_field

IDEMPOTENCY_KEY_MAX = 200
# Each endpoint reads at most this many bytes of body. A work item or a lookup is a small JSON
# document; only the citizen registry's bulk import is large (100k citizens are megabytes).
JSON_BODY_MAX_BYTES = 1024 * 1024
SMALL_BODY_MAX_BYTES = 64 * 1024
IMPORT_BODY_MAX_BYTES = 64 * 1024 * 1024
# A selfie travels base64-encoded in JSON. The limit is well above the picture limit (5 MB), so an
# oversized picture (a 20 MB phone photo) still gets its clear 400 rather than a bare 413.
FACE_COMPARE_BODY_MAX_BYTES = 32 * 1024 * 1024

View = Callable[..., JsonResponse]


def _json(body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None) -> JsonResponse:
    # Sorted keys: PostgreSQL's jsonb does not keep key order, and a replayed answer must be
    # byte-for-byte the original.
    return JsonResponse(
        body, status=status, headers=headers, json_dumps_params={"ensure_ascii": False, "sort_keys": True}
    )


def _declared_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    return int(raw) if raw.isdigit() else None


def department_endpoint(
    *, methods: tuple[str, ...], auth: bool = True, only: str | None = None, body_limit: int = SMALL_BODY_MAX_BYTES
) -> Callable[[View], View]:
    """Unknown department -> 404, wrong method -> 405, missing or foreign token -> 401.

    Everything that can be judged from the headers is judged before the body is read: the token,
    the signature headers (format, clock skew) and the declared length against ``body_limit``
    (413). Then at most ``body_limit`` bytes are read, the signature is verified over them, and
    the nonce is recorded (a replay is 401), all before the view parses anything.
    """

    def decorator(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, **kwargs: Any) -> JsonResponse:
            try:
                return checked(request, code, **kwargs)
            except (OperationalError, InterfaceError):
                # The department's own database is restarting: a temporary condition, which
                # the platform retries, answered as one (never a 500).
                return _json({"error": "temporarily unavailable"}, status=503, headers={"Retry-After": "5"})

        def checked(request: HttpRequest, code: str, **kwargs: Any) -> JsonResponse:
            if not services.system_exists(system=code) or (only is not None and code != only):
                return _json({"error": "unknown department"}, status=404)
            if request.method not in methods:
                return _json({"error": "method not allowed"}, status=405, headers={"Allow": ", ".join(methods)})
            if not auth:
                return view(request, code, **kwargs)
            if not services.token_is_valid(department=code, authorization=request.headers.get("Authorization", "")):
                return _json(
                    {"error": "missing or invalid bearer token for this department"},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="departments"'},
                )
            problem = signing.header_problem(headers=request.headers)
            if problem:
                return _json({"error": f"signature refused: {problem}"}, status=401)
            declared = _declared_length(request)
            if declared is None:
                return _json({"error": "the Content-Length header is not a number"}, status=400)
            if declared > body_limit:
                return _too_large(body_limit)
            body = _read_body(request, limit=body_limit)
            if body is None:
                return _too_large(body_limit)
            problem = signing.signature_problem(
                department=code,
                method=request.method,
                host=request.get_host(),
                path=request.path,
                # WSGI hands the raw query bytes over as latin-1 text; a client may send UTF-8 unescaped.
                query=request.META.get("QUERY_STRING", "").encode("iso-8859-1").decode("utf-8", "replace"),
                body=body,
                headers=request.headers,
            )
            if problem:
                return _json({"error": f"signature refused: {problem}"}, status=401)
            timestamp = int(request.headers[signing.TIMESTAMP_HEADER])
            if not services.nonce_record(
                department=code,
                nonce=request.headers[signing.NONCE_HEADER],
                expires_at=services.nonce_expiry(timestamp=timestamp, max_age_seconds=signing.MAX_AGE_SECONDS),
            ):
                return _json({"error": "signature refused: this request was already received (replay)"}, status=401)
            return view(request, code, **kwargs)

        return wrapper

    return decorator


def _too_large(limit: int) -> JsonResponse:
    return _json(
        {"errors": [{"line": 0, "message": f"the body is larger than {limit} bytes / 请求体过大"}]}, status=413
    )


def _read_body(request: HttpRequest, *, limit: int) -> bytes | None:
    """The raw body, read once from the stream (None above ``limit``).

    Not ``request.body``: that refuses anything above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), and
    100k citizens are several megabytes.
    """
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return None
    request._onewindow_raw_body = raw
    return raw


def _raw_body(request: HttpRequest) -> bytes:
    return getattr(request, "_onewindow_raw_body", b"")


def _json_body(request: HttpRequest) -> tuple[Any, JsonResponse | None]:
    try:
        return json.loads(_raw_body(request) or b"null"), None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None, _json({"errors": {"body": ["the body is not valid JSON"]}}, status=400)


@department_endpoint(methods=("POST",), body_limit=JSON_BODY_MAX_BYTES)
def request_create(request: HttpRequest, code: str) -> JsonResponse:
    if not services.department_exists(department=code):
        return _json({"error": "this system takes no work items"}, status=404)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        return _json(
            {"errors": {"Idempotency-Key": [f"the header is required (1 to {IDEMPOTENCY_KEY_MAX} characters)"]}},
            status=400,
        )
    body, error = _json_body(request)
    if error is not None:
        return error
    reply = services.request_process(department=code, idempotency_key=key, body=body)
    headers = dict(reply.headers)
    if reply.replayed:
        headers["Idempotent-Replayed"] = "true"
    return _json(reply.body, status=reply.status, headers=headers)


@department_endpoint(methods=("GET",))
def request_detail(request: HttpRequest, code: str, idempotency_key: str) -> JsonResponse:
    """The answer stored under a key, so a caller told 409 can learn what it was first answered."""
    if not services.department_exists(department=code):
        return _json({"error": "this system takes no work items"}, status=404)
    stored = services.request_stored(department=code, idempotency_key=idempotency_key)
    if stored is None:
        return _json({"error": "no request with this Idempotency-Key"}, status=404)
    return _json(stored)


@department_endpoint(methods=("GET",), auth=False, only="market_regulation")
def licence_public_key(request: HttpRequest, code: str) -> JsonResponse:
    """The authority's published key: anyone verifies a licence's QR token with it, offline."""
    return _json({"algorithm": "Ed25519", "public_key": licences.licence_public_key(), "encoding": "base64url"})


@department_endpoint(methods=("GET",), only="market_regulation")
def licence_detail(request: HttpRequest, code: str, number: str) -> JsonResponse:
    status = services.licence_status(number=number)
    if status is None:
        return _json({"error": "no licence with this number"}, status=404)
    return _json(status)


@department_endpoint(methods=("POST",), only="market_regulation")
def licence_revoke(request: HttpRequest, code: str, number: str) -> JsonResponse:
    body, error = _json_body(request)
    if error is not None:
        return error
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        return _json({"errors": {"reason": ["this field is required"]}}, status=400)
    if not services.licence_revoke(number=number, reason=reason.strip()):
        return _json({"error": "no licence with this number"}, status=404)
    return _json(services.licence_status(number=number))


@department_endpoint(methods=("GET", "PUT"))
def config_detail(request: HttpRequest, code: str) -> JsonResponse:
    if request.method == "PUT":
        body, error = _json_body(request)
        if error is not None:
            return error
        try:
            config = services.config_update(department=code, changes=body)
        except services.ConfigInvalid as exc:
            return _json({"errors": exc.errors}, status=400)
    else:
        config = services.config_get(department=code)
    return _json(services.config_as_dict(config))


@department_endpoint(methods=("GET",), auth=False)
def health(request: HttpRequest, code: str) -> JsonResponse:
    return _json({"department": code, "status": "ok"})


@department_endpoint(methods=("POST",), only="public_security")
def citizen_verify(request: HttpRequest, code: str) -> JsonResponse:
    body, error = _json_body(request)
    if error is not None:
        return error
    errors: dict[str, list[str]] = {}
    if not isinstance(body, dict):
        return _json({"errors": {"body": ["expected a JSON object"]}}, status=400)
    for name in ("id_number", "name"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            errors[name] = ["this field is required"]
    if errors:
        return _json({"errors": errors}, status=400)
    check = services.citizen_verify(id_number=body["id_number"], name=body["name"])
    return _json({"found": check.found, "name_matches": check.name_matches, "status": check.status})


@department_endpoint(methods=("POST",), only="public_security", body_limit=IMPORT_BODY_MAX_BYTES)
def citizens_import(request: HttpRequest, code: str) -> JsonResponse:
    """The CSV as the body (``text/csv``), or, with registry photos, a JSON object
    ``{"csv": "<the CSV text>", "photos": {"<path as in the photo column>": "<base64>"}}``."""
    raw = _raw_body(request)
    photos: dict[str, bytes] | None = None
    if request.content_type == "application/json":
        body, error = _json_body(request)
        if error is not None:
            return error
        if not isinstance(body, dict) or not isinstance(body.get("csv"), str):
            return _json(
                {"errors": [{"line": 0, "message": 'expected {"csv": text, "photos": {path: base64}}'}]}, status=400
            )
        given = body.get("photos") or {}
        if not isinstance(given, dict) or not all(isinstance(value, str) for value in given.values()):
            return _json({"errors": [{"line": 0, "message": "photos must map paths to base64 text"}]}, status=400)
        photos = {str(path): _base64_or_empty(value) for path, value in given.items()}
        text = body["csv"].removeprefix("\ufeff")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            return _json(
                {"errors": [{"line": line, "message": "the file is not UTF-8 text / 文件不是UTF-8编码"}]}, status=400
            )
    try:
        imported = services.citizens_import(csv_text=text, photos=photos)
    except services.CitizenImportRejected as exc:
        return _json({"errors": exc.errors}, status=400)
    return _json({"imported": imported})


def _base64_or_empty(value: str) -> bytes:
    """Decoded bytes; text that is not base64 becomes no bytes, which is then "not an image"."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return b""


def _required_strings(body: Any, names: tuple[str, ...]) -> dict[str, list[str]]:
    if not isinstance(body, dict):
        return {"body": ["expected a JSON object"]}
    return {
        name: ["this field is required"]
        for name in names
        if not isinstance(body.get(name), str) or not body[name].strip()
    }


@department_endpoint(methods=("POST",), only="public_security", body_limit=FACE_COMPARE_BODY_MAX_BYTES)
def citizen_face_compare(request: HttpRequest, code: str) -> JsonResponse:
    """``{"id_number", "image": base64 JPEG or PNG}`` -> ``{"outcome", "distance", "threshold"}``.

    The selfie is compared in memory and dropped: it is neither stored nor logged.
    """
    body, error = _json_body(request)
    if error is not None:
        return error
    errors = _required_strings(body, ("id_number", "image"))
    if errors:
        return _json({"errors": errors}, status=400)
    try:
        image = base64.b64decode(body["image"], validate=True)
    except (binascii.Error, ValueError):
        return _json(
            {"errors": {"image": ["the image is not base64 / 图像不是 base64 编码"]}, "problem": "not_image"},
            status=400,
        )
    try:
        comparison = services.citizen_face_compare(id_number=body["id_number"], selfie=image)
    except services.FaceImageRejected as exc:
        return _json({"errors": {"image": [str(exc)]}, "problem": exc.problem}, status=400)
    return _json(
        {
            "outcome": comparison.outcome,
            "distance": comparison.distance,
            "threshold": faces.MATCH_THRESHOLD,
            "review_from": faces.REVIEW_FROM,
        }
    )


# --- the mobile carrier -----------------------------------------------------------------------
class _ThreeFactorInput(serializers.Serializer):
    phone = MobileField()
    name = person_name_field()
    id_number = IdNumberField()


class _SmsInput(serializers.Serializer):
    phone = MobileField()
    text = serializers.CharField(max_length=carrier.SMS_MAX_CHARACTERS, trim_whitespace=False)


class _InboxInput(serializers.Serializer):
    phone = MobileField()
    limit = serializers.IntegerField(min_value=1, max_value=carrier.INBOX_MAX, default=20)


def _validated(serializer_class: type[serializers.Serializer], request: HttpRequest) -> tuple[Any, JsonResponse | None]:
    body, error = _json_body(request)
    if error is not None:
        return None, error
    if not isinstance(body, dict):
        return None, _json({"errors": {"body": ["expected a JSON object"]}}, status=400)
    serializer = serializer_class(data=body)
    if not serializer.is_valid():
        # DRF's messages name the rule, never the value given.
        return None, _json({"errors": {k: [str(m) for m in v] for k, v in serializer.errors.items()}}, status=400)
    return serializer.validated_data, None


@department_endpoint(methods=("POST",), only="carrier")
def carrier_subscriber_verify(request: HttpRequest, code: str) -> JsonResponse:
    """Three-factor check: ``{"phone", "name", "id_number"}`` -> ``{"matches", "reason"}``."""
    data, error = _validated(_ThreeFactorInput, request)
    if error is not None:
        return error
    verdict = carrier.subscriber_verify(phone=data["phone"], name=data["name"], id_number=data["id_number"])
    return _json({"matches": verdict.matches, "reason": verdict.reason})


@department_endpoint(methods=("POST",), only="carrier")
def carrier_sms_send(request: HttpRequest, code: str) -> JsonResponse:
    data, error = _validated(_SmsInput, request)
    if error is not None:
        return error
    carrier.sms_deliver(phone=data["phone"], text=data["text"])
    return _json({"delivered": True}, status=202)


@department_endpoint(methods=("POST",), only="carrier")
def carrier_sms_inbox(request: HttpRequest, code: str) -> JsonResponse:
    """A phone's latest messages, newest first. POST, so that the number stays out of the URL."""
    data, error = _validated(_InboxInput, request)
    if error is not None:
        return error
    messages = carrier.sms_inbox(phone=data["phone"], limit=data["limit"])
    return _json({"messages": [{"sent_at": message.sent_at.isoformat(), "text": message.text} for message in messages]})


@department_endpoint(methods=("POST",), only="market_regulation")
def enterprise_cancel(request: HttpRequest, code: str, credit_code: str) -> JsonResponse:
    """Cancel (注销) a registered company, for tests and the demo. The body may give the date
    (``{"cancelled_on": "2025-06-01"}``) to stage an older cancellation; default now."""
    body, error = _json_body(request)
    if error is not None:
        return error
    try:
        enterprise = services.market_enterprise_cancel(credit_code=credit_code, body=body)
    except services.CancelInvalid as exc:
        return _json({"errors": exc.errors}, status=400)
    except services.EnterpriseNotFound:
        return _json({"error": "no enterprise with this credit code"}, status=404)
    return _json(enterprise)
