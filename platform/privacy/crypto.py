"""Encryption of personal data at rest, and the keyed hashes (blind indexes) that find it again.

ID numbers and phone numbers are stored as Fernet tokens (AES-128-CBC + HMAC-SHA256, from the
``cryptography`` package). ``PII_ENCRYPTION_KEYS`` is a list: the first key encrypts, every key
decrypts, so a key is rotated by putting a new one in front, re-encrypting
(``manage.py reencrypt_personal_data``), then dropping the old one.

A Fernet token is different every time, so it cannot be searched. An exact lookup ("the
applications of this person", "is this person on the dishonest list") goes through a blind
index instead: HMAC-SHA256 of the canonical ID number under ``PII_INDEX_KEY``. Without that key
the index is useless to whoever reads a dump, where a plain SHA-256 of an 18-digit number with a
guessable birth date could be reversed by brute force in minutes.

With no keys configured, both are derived from SECRET_KEY. That is for development only: the
embedded ``make run`` needs nothing, and ``manage.py check --deploy`` warns about it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from rules.identifiers import canonical_id_number

__all__ = [
    "InvalidToken",
    "blind_index",
    "decrypt",
    "encrypt",
    "encryption_keys",
    "keyed_digest",
    "keys_are_derived",
    "reencrypt",
]

_DEV_ENCRYPTION_LABEL = b"onewindow personal-data encryption key (development only)"


def derive_fernet_key(*, secret: str, label: bytes) -> bytes:
    """A stable Fernet key from a secret: for development defaults, never for production."""
    return base64.urlsafe_b64encode(hmac.new(secret.encode(), label, hashlib.sha256).digest())


def keys_are_derived() -> bool:
    return not settings.PII_ENCRYPTION_KEYS or not settings.PII_INDEX_KEY


def encryption_keys() -> tuple[str, ...]:
    configured = tuple(key.strip() for key in settings.PII_ENCRYPTION_KEYS if key.strip())
    if configured:
        return configured
    return (derive_fernet_key(secret=settings.SECRET_KEY, label=_DEV_ENCRYPTION_LABEL).decode(),)


@functools.lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    # Cached per key tuple: building Fernet objects is cheap but not free, and a settings
    # override (tests, rotation) simply selects another entry.
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(value: str) -> str:
    return _keyring(encryption_keys()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Raises InvalidToken when no configured key opens the token: a missing key must be loud."""
    return _keyring(encryption_keys()).decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """The same plaintext under the current first key (MultiFernet.rotate)."""
    return _keyring(encryption_keys()).rotate(token.encode()).decode()


try:
    # The rule libraries' dishonest list is looked up with the same index, so that one person
    # has one index everywhere in the platform; use theirs when it is there.
    from rules.privacy import blind_index as _shared_blind_index
except ImportError:  # pragma: no cover - until rules.privacy provides it
    _shared_blind_index = None


def _blind_index(value: str) -> str:
    number = canonical_id_number(value)
    if not number:
        return ""
    key = (settings.PII_INDEX_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def blind_index(value: str) -> str:
    """HMAC-SHA256 (hex) of the canonical, uppercase ID number; "" for an empty one.

    The same algorithm as ``rules.privacy.blind_index``: key ``PII_INDEX_KEY``, falling back to
    SECRET_KEY.
    """
    if not (value or "").strip():
        return ""
    if _shared_blind_index is not None:
        return _shared_blind_index(value)
    return _blind_index(value)


def keyed_digest(value: str) -> str:
    """HMAC-SHA256 (hex) under the index key: for fingerprints of documents that hold ID numbers,
    where a plain hash could be reversed by trying every likely number."""
    key = (settings.PII_INDEX_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
