"""The electronic business licence (电子营业执照), issued by market regulation, the authority.

Its QR code carries a compact token the authority signs with its Ed25519 key: the base64url of
a small JSON claim, a dot, and the base64url of the signature. Anyone holding the published
public key (``GET /departments/market_regulation/licences/public-key/``) verifies it offline.
"""

import base64
import datetime
import hashlib
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signing_key() -> Ed25519PrivateKey:
    configured = settings.DEPARTMENT_LICENCE_SIGNING_KEY
    # Embedded default only: a seed derived from a fixed phrase (compose sets a real key).
    seed = (
        base64.b64decode(configured) if configured else hashlib.sha256(b"embedded-market-regulation-licence").digest()
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def licence_public_key() -> str:
    """The authority's public key, raw 32 bytes in base64url: what it publishes."""
    return _b64url(_signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def licence_token_issue(*, number: str, credit_code: str, issued_on: datetime.date) -> str:
    claims = {"v": 1, "no": number, "cc": credit_code, "iat": issued_on.isoformat()}
    payload = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64url(payload)}.{_b64url(_signing_key().sign(payload))}"


def entity_type_of(name: str) -> str:
    return "股份有限公司" if name.endswith("股份有限公司") else "有限责任公司"
