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
