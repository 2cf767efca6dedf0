"""Verifies licence tokens offline with the issuing authority's published Ed25519 key."""

import base64
import functools
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

from exchange.client import department_client

AUTHORITY = "market_regulation"


@dataclass(frozen=True)
class LicenceClaims:
    number: str
    credit_code: str
    issued_on: str


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.cache
def _published_key(configured: str) -> Ed25519PublicKey:
    # The published key: configured, or read once from the authority's public endpoint.
    raw = configured or department_client().get(f"{AUTHORITY}/licences/public-key/").json()["public_key"]
    return Ed25519PublicKey.from_public_bytes(_b64url_decode(raw))


def authority_public_key() -> Ed25519PublicKey:
    return _published_key(settings.LICENCE_AUTHORITY_PUBLIC_KEY)


def licence_token_verify(token: str) -> LicenceClaims | None:
    """The claims of a genuine token; None for anything altered, truncated or not a token."""
    try:
        payload_part, signature_part = token.split(".")
        payload, signature = _b64url_decode(payload_part), _b64url_decode(signature_part)
        authority_public_key().verify(signature, payload)
        claims = json.loads(payload)
        return LicenceClaims(number=str(claims["no"]), credit_code=str(claims["cc"]), issued_on=str(claims["iat"]))
    except (ValueError, KeyError, TypeError, InvalidSignature):
        return None
