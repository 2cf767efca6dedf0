"""HTTP face of the department simulators: JSON in and out, bearer tokens, no sessions, no CSRF
(the callers are systems, not browsers). The work is done in ``departments.services``."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from departments import licences, services
from departments.signing import signature_problem

IDEMPOTENCY_KEY_MAX = 200
BODY_MAX_BYTES = 64 * 1024 * 1024

View = Callable[..., JsonResponse]


def _json(body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None) -> JsonResponse:
    # Sorted keys: PostgreSQL's jsonb does not keep key order, and a replayed answer must be
    # byte-for-byte the original.
    return JsonResponse(
        body, status=status, headers=headers, json_dumps_params={"ensure_ascii": False, "sort_keys": True}
    )


def department_endpoint(
    *, methods: tuple[str, ...], auth: bool = True, only: str | None = None
) -> Callable[[View], View]:
    """Unknown department -> 404, wrong method -> 405, missing or foreign token -> 401."""

    def decorator(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, **kwargs: str) -> JsonResponse:
            if not services.department_exists(department=code) or (only is not None and code != only):
                return _json({"error": "unknown department"}, status=404)
            if request.method not in methods:
                return _json({"error": "method not allowed"}, status=405, headers={"Allow": ", ".join(methods)})
            if auth and not services.token_is_valid(
                department=code, authorization=request.headers.get("Authorization", "")
            ):
                return _json(
                    {"error": "missing or invalid bearer token for this department"},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="departments"'},
                )
            if auth:
                body = _raw_body(request)
                if body is None:
                    return _json({"errors": [{"line": 0, "message": "the body is larger than 64 MB"}]}, status=413)
                problem = signature_problem(
                    department=code, method=request.method, path=request.path, body=body, headers=request.headers
                )
                if problem:
                    return _json({"error": f"signature refused: {problem}"}, status=401)
            return view(request, code, **kwargs)

        return wrapper

    return decorator


def _raw_body(request: HttpRequest) -> bytes | None:
    """The raw body, read once from the stream (None above the size limit).

    Not ``request.body``: that refuses anything above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), and
    100k citizens are several megabytes.
    """
    if not hasattr(request, "_onewindow_raw_body"):
        raw = request.read(BODY_MAX_BYTES + 1)
        request._onewindow_raw_body = None if len(raw) > BODY_MAX_BYTES else raw
    return request._onewindow_raw_body


def _json_body(request: HttpRequest) -> tuple[Any, JsonResponse | None]:
    try:
        return json.loads(_raw_body(request) or b"null"), None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, _json({"errors": {"body": ["the body is not valid JSON"]}}, status=400)


@department_endpoint(methods=("POST",))
def request_create(request: HttpRequest, code: str) -> JsonResponse:
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


@department_endpoint(methods=("POST",), only="public_security")
def citizens_import(request: HttpRequest, code: str) -> JsonResponse:
    raw = _raw_body(request)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return _json(
            {"errors": [{"line": line, "message": "the file is not UTF-8 text / 文件不是UTF-8编码"}]}, status=400
        )
    try:
        imported = services.citizens_import(csv_text=text)
    except services.CitizenImportRejected as exc:
        return _json({"errors": exc.errors}, status=400)
    return _json({"imported": imported})
