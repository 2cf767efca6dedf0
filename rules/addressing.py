"""Resolution of a free-text address to an entry of the unified standard address library.

Both sides, the standard addresses when they are imported and the applicant's text when it is
checked, go through :func:`address_key`, which removes the harmless differences people type:

* a missing or present province / city prefix ("广东省", "深圳市");
* the street (街道) level, which applicants often leave out;
* full-width digits and letters, traditional characters, spaces and punctuation;
* Chinese numerals before 号/栋/座/幢/楼/层/室 ("十五号" is "15号");
* 座, 幢 and 号楼 all meaning a building (栋).

The applicant's text may go on past the standard address ("…A栋1201" where the library stops at
the building), so the longest standard key that is a prefix of the input key wins. The lookup is
a single indexed query for the prefixes of the input, O(length) and independent of the size of
the library. This module is pure Python: the lookup itself is passed in, which lets the import
of the address negative list reuse exactly the resolver the library uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import cn2an

from rules.normalize import normalize_text

# Hyphens carry meaning in addresses ("15-3号" is not "153号"), so they survive normalization;
# NFKC has already folded the full-width and typographic dashes into "-" by then.
_ADDRESS_KEEP = "-"

_PROVINCE_CITY = re.compile(r"^(?:[^省市区县]{2,3}省|[^省市区县]{2,8}?自治区)?(?:[^省市区县]{2,4}市)?")
# The street sits right after the district (or at the very start when the district is missing).
_STREET = re.compile(r"^((?:[^区县]{1,10}?[区县])?)[^区县路街道号栋]{1,8}?街道")
_CN_NUMERAL = re.compile(r"[零〇一二三四五六七八九十百千两]+(?=[号栋座幢楼层室])")
_CN_DIGITS = dict(zip("零〇一二三四五六七八九两", "001234567892", strict=True))
_BUILDING = re.compile(r"号楼|[座幢]")


def _arabic(match: re.Match[str]) -> str:
    numeral = match.group(0)
    if not any(c in "十百千" for c in numeral):
        # "一二零一室" is read digit by digit, as room numbers are.
        return "".join(_CN_DIGITS[c] for c in numeral)
    try:
        return str(cn2an.cn2an(numeral, "normal"))
    except (ValueError, KeyError):
        return numeral  # not a number after all ("十千"): leave it for an exact comparison


def address_key(text: str) -> str:
    """The canonical key of an address (see the module docstring)."""
    key = normalize_text(text, keep=_ADDRESS_KEEP)
    key = _PROVINCE_CITY.sub("", key, count=1)
    key = _CN_NUMERAL.sub(_arabic, key)
    key = _BUILDING.sub("栋", key)
    key = _STREET.sub(r"\1", key, count=1)
    return key


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def prefix_candidates(key: str) -> list[str]:
    """Prefixes of ``key`` that may be a standard address, longest first.

    A prefix that would cut through a number or a Latin building letter is skipped: "科苑路1"
    must not match "科苑路15号".
    """
    candidates = []
    for end in range(len(key), 0, -1):
        if end < len(key) and _is_ascii_alnum(key[end - 1]) and _is_ascii_alnum(key[end]):
            continue
        candidates.append(key[:end])
    return candidates


@dataclass(frozen=True)
class StandardAddress:
    code: str
    full_address: str


@dataclass(frozen=True)
class ResolvedAddress:
    code: str
    full_address: str
    key: str
    remainder: str  # what the applicant typed past the standard address, e.g. a room number


# Given candidate keys, return the standard addresses that have exactly those keys.
KeyLookup = Callable[[list[str]], Mapping[str, StandardAddress]]


def resolve_address(text: str, *, lookup: KeyLookup) -> ResolvedAddress | None:
    """The standard address ``text`` denotes, or None when it does not resolve."""
    key = address_key(text)
    if not key:
        return None
    candidates = prefix_candidates(key)
    found = lookup(candidates)
    for candidate in candidates:
        standard = found.get(candidate)
        if standard is not None:
            return ResolvedAddress(
                code=standard.code,
                full_address=standard.full_address,
                key=candidate,
                remainder=key[len(candidate) :],
            )
    return None


def dict_lookup(index: Mapping[str, StandardAddress]) -> KeyLookup:
    """A lookup over an in-memory index (tests, small tools)."""

    def lookup(keys: Iterable[str]) -> Mapping[str, StandardAddress]:
        return {k: index[k] for k in keys if k in index}

    return lookup
