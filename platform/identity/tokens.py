"""Link tokens and one-time codes: random, and never stored in the clear.

A link token is the HMAC of the verification's random id under a server key, so the platform can
show an applicant or integrator the link again, while the database keeps only the token's
SHA-256 (for the lookup): a dump alone yields no working link. A one-time code is 6 random digits,
stored as an HMAC keyed with another server key and bound to its verification, so equal codes of
two people never share a hash and a dump cannot be reversed by trying the million codes.
"""

import base64
import hashlib
import hmac
import secrets
import uuid

from django.conf import settings


def _key(label: str) -> bytes:
    configured = settings.VERIFICATION_SECRET_KEY
    # Derived from SECRET_KEY by default (development); a label separates the two uses.
    secret = (configured or settings.SECRET_KEY).encode()
    return hmac.new(secret, f"onewindow verification {label}".encode(), hashlib.sha256).digest()


def verification_token(verification_id: uuid.UUID) -> str:
    """43 URL-safe characters (256 bits): the only credential a person's verification page needs."""
    digest = hmac.new(_key("link"), verification_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verification_path(verification_id: uuid.UUID) -> str:
    return f"/verify/{verification_token(verification_id)}/"


def code_generate() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def code_digest(*, verification_id: uuid.UUID, code: str) -> str:
    return hmac.new(_key("code"), verification_id.bytes + code.encode(), hashlib.sha256).hexdigest()


def code_matches(*, verification_id: uuid.UUID, code: str, digest: str) -> bool:
    return bool(digest) and hmac.compare_digest(code_digest(verification_id=verification_id, code=code), digest)
