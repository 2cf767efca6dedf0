"""HTTP to the department systems. The platform never imports department code."""

import functools
import hashlib
import hmac
import time
from collections.abc import Callable, Generator

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


class DepartmentAuth(httpx.Auth):
    """The department's bearer token, and an HMAC-SHA256 signature over the exact request.

    The signed message is ``<timestamp>\n<METHOD>\n<path>\n<body>``, keyed with the department's
    own signing key, so a request altered on the way (or sent to another endpoint) is refused.
    """

    def __init__(self, department: str) -> None:
        self.department = department

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp = str(int(time.time()))
        message = f"{timestamp}\n{request.method}\n{request.url.path}\n".encode() + request.content
        key = settings.DEPARTMENT_SIGNING_KEYS[self.department].encode()
        request.headers["Authorization"] = f"Bearer {settings.DEPARTMENT_TOKENS[self.department]}"
        request.headers["X-OneWindow-Timestamp"] = timestamp
        request.headers["X-OneWindow-Signature"] = "sha256=" + hmac.new(key, message, hashlib.sha256).hexdigest()
        yield request
