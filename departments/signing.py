"""Verifies the platform's request signatures: HMAC-SHA256 with this department's own key.

Headers of a signed request (version 2)::

    Authorization: Bearer <the department's token>
    X-OneWindow-Timestamp: <Unix seconds>
    X-OneWindow-Nonce: <32 lowercase hex digits: 128 random bits, new for every request>
    X-OneWindow-Signature: v2=<hex HMAC-SHA256 of the canonical message>

The canonical message is these lines joined by ``\\n``::

    onewindow-v2
    <timestamp>
    <nonce>
    <METHOD, upper case>
    <host, lower case, with the port when the request names one: the Host header>
    <path, percent-decoded, as the server routes it>
    <canonical query: parameters percent-decoded, sorted by name then value, each re-encoded
     as quote(name)=quote(value) with only A-Z a-z 0-9 - _ . ~ left unescaped, joined by &>
    <hex SHA-256 of the raw body>

so neither the body, nor the endpoint, nor the query string, nor the host can be altered. The
timestamp may be at most ``MAX_FUTURE_SECONDS`` ahead and ``MAX_AGE_SECONDS`` behind the
department's clock, and the department remembers every nonce for as long as its timestamp is
acceptable (``departments.services.nonce_record``): a captured request cannot be sent again.

Version 1 (``sha256=``: timestamp, method, path and body only, no nonce) is refused.

The platform's side is ``exchange.client.DepartmentAuth``; both sides are ours, so they change
together.
"""

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote

from django.conf import settings

SIGNATURE_HEADER = "X-OneWindow-Signature"
TIMESTAMP_HEADER = "X-OneWindow-Timestamp"
NONCE_HEADER = "X-OneWindow-Nonce"
SIGNATURE_VERSION = "v2"
MAX_FUTURE_SECONDS = 30
MAX_AGE_SECONDS = 300

_SIGNATURE = re.compile(r"v2=([0-9a-f]{64})")
_NONCE = re.compile(r"[0-9a-f]{32}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_UNRESERVED = "-_.~"


def canonical_query(query: str) -> str:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{quote(name, safe=_UNRESERVED)}={quote(value, safe=_UNRESERVED)}" for name, value in pairs)


def canonical_message(
    *, timestamp: str, nonce: str, method: str, host: str, path: str, query: str, body: bytes
) -> bytes:
    lines = [
        f"onewindow-{SIGNATURE_VERSION}",
        timestamp,
        nonce,
        method.upper(),
        host.lower(),
        path,
        canonical_query(query),
        hashlib.sha256(body).hexdigest(),
    ]
    return "\n".join(lines).encode()


def header_problem(*, headers: Mapping[str, str], now: float | None = None) -> str | None:
    """What is wrong with the signature headers, checked before a byte of the body is read."""
    signature = headers.get(SIGNATURE_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    nonce = headers.get(NONCE_HEADER, "")
    if not signature or not timestamp:
        return "the request is not signed"
    if signature.startswith("sha256="):
        return "signature version 1 is no longer accepted; sign with v2"
    if not _SIGNATURE.fullmatch(signature):
        return "the signature header must be v2=<64 hex digits>"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "the timestamp must be Unix seconds"
    if not _NONCE.fullmatch(nonce):
        return f"the {NONCE_HEADER} header must be 32 lowercase hex digits (128 random bits)"
    age = (time.time() if now is None else now) - int(timestamp)
    if age > MAX_AGE_SECONDS:
        return "the signature has expired"
    if age < -MAX_FUTURE_SECONDS:
        return "the timestamp is in the future"
    return None


def signature_problem(
    *, department: str, method: str, host: str, path: str, query: str, body: bytes, headers: Mapping[str, str]
) -> str | None:
    """None when the request is signed by the platform with this department's key; else why not.

    Call ``header_problem`` first: this assumes well-formed headers.
    """
    key = settings.DEPARTMENT_SIGNING_KEYS.get(department, "")
    if not key:
        return "no signing key is configured for this department"
    message = canonical_message(
        timestamp=headers[TIMESTAMP_HEADER],
        nonce=headers[NONCE_HEADER],
        method=method,
        host=host,
        path=path,
        query=query,
        body=body,
    )
    expected = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(headers[SIGNATURE_HEADER].removeprefix("v2="), expected):
        return "the signature does not match the request"
    return None
