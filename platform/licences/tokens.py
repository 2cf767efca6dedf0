"""Verifies licence tokens offline with the issuing authority's published Ed25519 key."""

import base64
import functools
import json
from dataclasses import dataclass

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from exchange.client import department_client

AUTHORITY = "market_regulation"


class AuthorityUnavailable(Exception):
    """The authority could not be asked now (its key, or a licence's standing)."""


@dataclass(frozen=True)
class LicenceClaims:
    number: str
    credit_code: str
    issued_on: str


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@functools.cache
def _published_key(configured: str) -> Ed25519PublicKey:
    # The published key: configured, or read once from the authority's public endpoint. A
    # failed read is not cached, so the next request asks again.
    if configured:
        raw = configured
    else:
        try:
            response = department_client().get(f"{AUTHORITY}/licences/public-key/")
        except httpx.HTTPError as error:
            raise AuthorityUnavailable(type(error).__name__) from error
        if response.status_code != 200:
            raise AuthorityUnavailable(f"HTTP {response.status_code}")
        raw = response.json()["public_key"]
    return Ed25519PublicKey.from_public_bytes(_b64url_decode(raw))


def authority_public_key() -> Ed25519PublicKey:
    """Raises AuthorityUnavailable when no key is configured and the authority cannot be reached."""
    return _published_key(settings.LICENCE_AUTHORITY_PUBLIC_KEY)


def authority_public_key_published() -> dict[str, str]:
    """The key as this site republishes it, for anyone verifying licence tokens offline."""
    key = authority_public_key()
    return {
        "issuer": AUTHORITY,
        "algorithm": "Ed25519",
        "encoding": "base64url",
        "public_key": _b64url(key.public_bytes(Encoding.Raw, PublicFormat.Raw)),
        "public_key_pem": key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode(),
        "token_format": "base64url(JSON claims {v, no, cc, iat}) '.' base64url(Ed25519 signature of those bytes)",
    }


def licence_token_verify(token: str) -> LicenceClaims | None:
    """The claims of a genuine token; None for anything altered, truncated or not a token.

    Raises AuthorityUnavailable if the key itself cannot be had right now.
    """
    key = authority_public_key()
    try:
        payload_part, signature_part = token.split(".")
        payload, signature = _b64url_decode(payload_part), _b64url_decode(signature_part)
        key.verify(signature, payload)
        claims = json.loads(payload)
        return LicenceClaims(number=str(claims["no"]), credit_code=str(claims["cc"]), issued_on=str(claims["iat"]))
    except (ValueError, KeyError, TypeError, InvalidSignature):
        return None
