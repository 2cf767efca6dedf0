"""Verifies the platform's request signatures: HMAC-SHA256 with this department's own key.

The signed message is ``<timestamp>\\n<METHOD>\\n<path>\\n`` followed by the raw body, so neither
the body nor the endpoint can be altered, and the timestamp bounds replays of a captured request.
"""

import hashlib
import hmac
import time

from django.conf import settings

SIGNATURE_HEADER = "X-OneWindow-Signature"
TIMESTAMP_HEADER = "X-OneWindow-Timestamp"
MAX_SKEW_SECONDS = 300


def signature_problem(*, department: str, method: str, path: str, body: bytes, headers: dict) -> str | None:
    """None when the request is signed by the platform with this department's key; else why not."""
    key = settings.DEPARTMENT_SIGNING_KEYS.get(department, "")
    signature = headers.get(SIGNATURE_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not key:
        return "no signing key is configured for this department"
    if not signature.startswith("sha256=") or not timestamp.isdigit():
        return "the request is not signed"
    if abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
        return "the signature has expired"
    message = f"{timestamp}\n{method.upper()}\n{path}\n".encode() + body
    expected = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.removeprefix("sha256="), expected):
        return "the signature does not match the request"
    return None
