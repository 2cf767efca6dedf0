"""Masking of personal data before it reaches findings, messages, logs or exceptions."""

from __future__ import annotations

_STARS = "********"


def mask_id_number(id_number: str) -> str:
    """Show at most the first 6 and last 4 characters of an ID number.

    A full 18-character number keeps its region code and last four (what a clerk needs to tell
    two people apart); a shorter, malformed one reveals proportionally less, so masking never
    exposes most of a mistyped number.
    """
    value = (id_number or "").strip()
    if not value:
        return ""
    head = min(6, len(value) // 3)
    tail = min(4, len(value) // 4)
    return value[:head] + _STARS + (value[-tail:] if tail else "")


def mask_phone(phone: str) -> str:
    """Show at most the first 3 and last 4 digits of a phone number."""
    value = (phone or "").strip()
    if not value:
        return ""
    # A mobile number (11 digits) shows 3 + 4 as banks do; anything shorter shows less.
    head, tail = (3, 4) if len(value) >= 11 else (len(value) // 4, len(value) // 4)
    return value[:head] + "****" + (value[-tail:] if tail else "")


def _canonical_id(value: str) -> str:
    # Same canonical form as rules.identifiers.canonical_id_number (kept import-free here).
    return "".join((value or "").split()).replace("-", "").upper()


def blind_index(value: str) -> str:
    """The blind index of an ID number: hex HMAC-SHA256 of its canonical (uppercase, stripped)
    form, keyed with ``settings.PII_INDEX_KEY`` (falling back to ``SECRET_KEY``).

    Lists are matched on this value, so no plaintext ID number is ever stored in rules tables,
    yet an exact lookup stays a single indexed query. Empty input gives an empty index.
    """
    import hashlib
    import hmac

    from django.conf import settings

    canonical = _canonical_id(value)
    if not canonical:
        return ""
    key = getattr(settings, "PII_INDEX_KEY", "") or settings.SECRET_KEY
    return hmac.new(key.encode(), canonical.encode(), hashlib.sha256).hexdigest()
