"""The characters a registered enterprise name may contain.

A name is written in standard Chinese characters; Latin letters and Arabic digits may appear
(e.g. a foreign-invested company's trade name), and only a little punctuation: brackets around a
region or a branch (（）()), the middle dot of a transliterated name (·), the enumeration comma
(、) and spaces, which the names library ignores anyway. Anything else (an emoji, a control
character, a bidirectional override such as U+202E that reorders what a reviewer sees, a
symbol) is refused. Full-width forms count as their plain forms (NFKC).
"""

from __future__ import annotations

import unicodedata

ALLOWED_PUNCTUATION = frozenset("（）()·・‧、 \u3000")

_CJK_RANGES = (
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # Unified Ideographs
    (0x20000, 0x2FA1F),  # Extensions B-F and the compatibility supplement
)


def _is_cjk(ch: str) -> bool:
    point = ord(ch)
    return any(low <= point <= high for low, high in _CJK_RANGES) or ch == "〇"


def _allowed(ch: str) -> bool:
    if ch in ALLOWED_PUNCTUATION or _is_cjk(ch):
        return True
    plain = unicodedata.normalize("NFKC", ch)
    if plain != ch and plain and all(_allowed(c) for c in plain):
        return True
    return ch.isascii() and ch.isalnum()


def disallowed_characters(name: str) -> list[tuple[int, str]]:
    """(position, character) of every character of ``name`` that a registered name may not use."""
    return [(i, ch) for i, ch in enumerate(name) if not _allowed(ch)]
