"""Text normalization shared by the rule libraries.

A name or address is compared in a canonical form that defeats the usual evasions: full-width
characters, traditional characters, and spaces, punctuation or symbols slipped between the
characters of a prohibited word. The canonical form keeps a position map back to the original
string, so a finding can point at exactly the characters the applicant typed.

Normalization works character by character (each original character yields zero or more output
characters). That is what makes the position map exact, and it also makes the result
independent of the neighbours of a character, so inserting a separator anywhere never changes
how the rest of the text normalizes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

# OpenCC converters are not cheap to build; one per process is plenty.
_T2S = opencc.OpenCC("t2s")

# Everything at or above the CJK Radicals Supplement block may have a traditional form;
# below that OpenCC never changes anything, so skipping it saves a call per character.
_CJK_START = 0x2E80

# A character is kept when its Unicode category is a letter or a number. Separators (Z*),
# punctuation (P*), symbols (S*), marks (M*) and control/format/unassigned code points (C*)
# are what evaders insert between characters, and none of them carry meaning in a name.
_KEPT_CATEGORIES = ("L", "N")

# The per-character transformation is re-applied until it reaches a fixed point. A handful of
# steps is always enough for real Unicode data; the bound only guards against cycles.
_MAX_STEPS = 4


def _transform_once(ch: str) -> str:
    text = unicodedata.normalize("NFKC", ch)
    if any(ord(c) >= _CJK_START for c in text):
        text = _T2S.convert(text)
    return text.casefold()


@lru_cache(maxsize=65536)
def _char_output(ch: str, keep: str) -> str:
    """What one original character becomes in the canonical form (possibly nothing)."""
    pending = [(ch, 0)]
    out: list[str] = []
    while pending:
        current, depth = pending.pop(0)
        transformed = _transform_once(current)
        if transformed == current or depth >= _MAX_STEPS:
            for c in transformed:
                if c in keep or unicodedata.category(c)[0] in _KEPT_CATEGORIES:
                    out.append(c)
            continue
        # The transformation changed the character: normalize each resulting character on its
        # own again, so that the final output is itself a fixed point (idempotence).
        pending[0:0] = [(c, depth + 1) for c in transformed]
    return "".join(out)


@dataclass(frozen=True)
class Normalized:
    """A canonical string and, for each of its characters, the index of the original character."""

    text: str
    positions: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalized text to a half-open span of the original."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is outside the normalized text")
        return self.positions[start], self.positions[end - 1] + 1


# Per-``keep`` dictionaries in front of the lru_cache: a plain dict lookup is several times
# cheaper than a cached call, and bulk imports normalize millions of names.
_OUTPUTS: dict[str, dict[str, str]] = {}


def _outputs(keep: str) -> dict[str, str]:
    table = _OUTPUTS.get(keep)
    if table is None:
        table = _OUTPUTS[keep] = {}
    return table


def normalize_text(text: str, *, keep: str = "") -> str:
    """The canonical form of ``text``: NFKC, traditional to simplified, casefolded, and with
    separators, punctuation and symbols removed (except the characters listed in ``keep``)."""
    table = _outputs(keep)
    out = []
    for ch in text:
        produced = table.get(ch)
        if produced is None:
            produced = table[ch] = _char_output(ch, keep)
        out.append(produced)
    return "".join(out)


def normalize_with_map(text: str, *, keep: str = "") -> Normalized:
    """Like :func:`normalize_text`, also returning where each output character came from."""
    table = _outputs(keep)
    chars: list[str] = []
    positions: list[int] = []
    for index, ch in enumerate(text):
        produced = table.get(ch)
        if produced is None:
            produced = table[ch] = _char_output(ch, keep)
        if len(produced) == 1:
            chars.append(produced)
            positions.append(index)
        elif produced:
            chars.append(produced)
            positions.extend([index] * len(produced))
    return Normalized(text="".join(chars), positions=tuple(positions))
