"""HTTP to the department systems. The platform never imports department code."""

import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Generator
from urllib.parse import parse_qsl, quote

import httpx
from django.conf import settings
from django.core import signals
from django.db import close_old_connections
from django.utils import translation

_IN_PROCESS_BASE_URL = "http://departments.internal/departments/"


def _in_process_application(environ: dict, start_response: Callable) -> list[bytes]:
    """Serves one request with this process's Django application, as Django's test client does.

    Django closes "old" database connections when a request starts and finishes; in-process,
    that would close the caller's own connection, so those handlers are held off while the
    response is built and read.
    """
    from config.wsgi import application

    captured: list = []
    # The nested request activates its own language; the caller's must survive it.
    language = translation.get_language()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, lambda status, headers, exc_info=None: captured.extend([status, headers]))
        body = b"".join(response)
        if hasattr(response, "close"):
            response.close()
    finally:
        if language:
            translation.activate(language)
        else:
            translation.deactivate()
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    start_response(*captured)
    return [body]


@functools.cache
def _in_process_transport() -> httpx.WSGITransport:
    # Embedded dry-runs without a server: the same HTTP requests, served by this process's
    # Django application (which mounts the simulators) instead of a socket.
    return httpx.WSGITransport(app=_in_process_application)


def department_http_client() -> httpx.Client:
    timeout = httpx.Timeout(settings.DEPARTMENT_TIMEOUT_SECONDS)
    if settings.DEPARTMENTS_URL:
        return httpx.Client(base_url=settings.DEPARTMENTS_URL.rstrip("/") + "/", timeout=timeout)
    return httpx.Client(base_url=_IN_PROCESS_BASE_URL, transport=_in_process_transport(), timeout=timeout)


@functools.cache
def _shared_client(departments_url: str) -> httpx.Client:
    return department_http_client()


def department_client() -> httpx.Client:
    """A pooled client per process (keep-alive); rebuilt if the configured URL changes."""
    return _shared_client(settings.DEPARTMENTS_URL)


def _canonical_query(query: str) -> str:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}" for name, value in pairs)


def department_signature(
    *, key: str, timestamp: str, nonce: str, method: str, host: str, path: str, query: str, body: bytes
) -> str:
    """The ``X-OneWindow-Signature`` value (version 2) of one request.

    HMAC-SHA256, keyed with the department's signing key, over these lines joined by ``\\n``:
    ``onewindow-v2``, the timestamp (Unix seconds), the nonce (32 hex digits), the METHOD, the
    host (lower case, with its port if the Host header has one), the percent-decoded path, the
    canonical query (parameters decoded, sorted by name then value, re-encoded as
    ``quote(name)=quote(value)`` with only ``A-Za-z0-9-_.~`` unescaped, joined by ``&``) and the
    hex SHA-256 of the raw body. The departments check it the same way (departments/signing.py,
    which the platform does not import: they are the outside world).
    """
    message = "\n".join(
        [
            "onewindow-v2",
            timestamp,
            nonce,
            method.upper(),
            host.lower(),
            path,
            _canonical_query(query),
            hashlib.sha256(body).hexdigest(),
        ]
    ).encode()
    return "v2=" + hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


class DepartmentAuth(httpx.Auth):
    """The department's bearer token, and an HMAC-SHA256 signature over the exact request.

    Every request carries a fresh 128-bit nonce and the current time under the signature, so a
    request altered on the way (body, endpoint, query string or host), sent again, or kept for
    later is refused by the department.
    """

    def __init__(self, department: str) -> None:
        self.department = department

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp = str(int(time.time()))
        nonce = secrets.token_hex(16)
        request.headers["Authorization"] = f"Bearer {settings.DEPARTMENT_TOKENS[self.department]}"
        request.headers["X-OneWindow-Timestamp"] = timestamp
        request.headers["X-OneWindow-Nonce"] = nonce
        request.headers["X-OneWindow-Signature"] = department_signature(
            key=settings.DEPARTMENT_SIGNING_KEYS[self.department],
            timestamp=timestamp,
            nonce=nonce,
            method=request.method,
            host=request.headers["Host"],
            path=request.url.path,
            query=request.url.query.decode("ascii"),
            body=request.content,
        )
        yield request
