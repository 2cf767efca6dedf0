"""HTTP to the department systems. The platform never imports department code."""

import functools

import httpx
from django.conf import settings

_IN_PROCESS_BASE_URL = "http://departments.internal/departments/"


@functools.cache
def _in_process_transport() -> httpx.WSGITransport:
    # Embedded dry-runs without a server: the same HTTP requests, served by this process's
    # Django application (which mounts the simulators) instead of a socket.
    from config.wsgi import application

    return httpx.WSGITransport(app=application)


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


def department_headers(*, department: str, idempotency_key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {settings.DEPARTMENT_TOKENS[department]}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return headers
