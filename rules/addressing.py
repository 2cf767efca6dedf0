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


# --- District-free keys and scored resolution -----------------------------------------------

_LEADING_DISTRICT = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:新区|区|县)")


def split_district(key: str) -> tuple[str, str]:
    """(district, rest) of an address key; the district is "" when the key starts with none.

    Only a real county-level name counts (rules.regions), so "园区路" is never a district.
    """
    from rules.regions import region_table

    match = _LEADING_DISTRICT.match(key)
    if match and region_table().is_region(match.group(0)) and len(match.group(0)) < len(key):
        return match.group(0), key[match.end() :]
    return "", key


def district_free_key(key: str) -> str:
    return split_district(key)[1]


@dataclass(frozen=True)
class Candidate:
    code: str
    full_address: str
    key: str
    score: float


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving free text to the standard library.

    ``status``: "resolved" (one confident match, in ``best``), "ambiguous" (several equally
    good matches, or a match only if the district given is ignored; see ``candidates``) or
    "none".
    """

    status: str
    best: ResolvedAddress | None
    candidates: tuple[Candidate, ...]
    score: float
    reason: str = ""


# (full keys, district-free keys) -> rows (key, key2, code, full_address) having one of them.
CandidateLookup = Callable[[list[str], list[str]], list[tuple[str, str, str, str]]]

SCORE_EXACT = 1.0  # the whole standard key, district included, is a prefix of the input
SCORE_NO_DISTRICT = 0.9  # the input names no district; one standard address fits
SCORE_OTHER_DISTRICT = 0.6  # fits only if the district the applicant typed is ignored


def resolve_scored(text: str, *, lookup: CandidateLookup) -> Resolution:
    """Resolve ``text`` with a confidence score (see the SCORE_* constants).

    One query: the prefixes of the input's key against the standard keys, and the prefixes of
    its district-free key against the standard district-free keys. The longest full-key match
    wins outright. Otherwise the longest district-free match is taken: unique and the input named
    no district -> resolved; several (the same road and number in two districts) -> ambiguous;
    the input named another district -> ambiguous, for a human to confirm.
    """
    key = address_key(text)
    if not key:
        return Resolution("none", None, (), 0.0, "empty")
    district, rest = split_district(key)
    full = prefix_candidates(key)
    free = prefix_candidates(rest)
    rows = lookup(full, free)
    by_key = {row[0]: row for row in rows}
    for candidate in full:
        row = by_key.get(candidate)
        if row is not None:
            best = ResolvedAddress(code=row[2], full_address=row[3], key=candidate, remainder=key[len(candidate) :])
            return Resolution("resolved", best, (Candidate(row[2], row[3], row[0], SCORE_EXACT),), SCORE_EXACT)
    by_free: dict[str, list[tuple[str, str, str, str]]] = {}
    for row in rows:
        by_free.setdefault(row[1], []).append(row)
    for candidate in free:
        matches = by_free.get(candidate)
        if not matches:
            continue
        score = SCORE_OTHER_DISTRICT if district else SCORE_NO_DISTRICT
        candidates = tuple(
            Candidate(code, full_address, row_key, round(score / len(matches), 3))
            for row_key, _, code, full_address in matches
        )
        if len(matches) == 1 and not district:
            row_key, _, code, full_address = matches[0]
            best = ResolvedAddress(code=code, full_address=full_address, key=row_key, remainder=rest[len(candidate) :])
            return Resolution("resolved", best, candidates, score)
        reason = "other_district" if district else "several_districts"
        return Resolution("ambiguous", None, candidates, candidates[0].score, reason)
    return Resolution("none", None, (), 0.0, "no_match")


# --- Parsing into components -------------------------------------------------------------------

_PARTS = re.compile(
    r"^(?P<province>[\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,8}?自治区)?"
    r"(?P<city>[\u4e00-\u9fff]{2,4}?市(?![场政民值]))?"
    r"(?P<district>[\u4e00-\u9fff]{1,5}?(?:新区|区|县)(?!块))?"
    r"(?P<street>[\u4e00-\u9fff]{2,6}?(?:街道|镇|乡))?"
    r"(?P<road>[\u4e00-\u9fff0-9a-z]{1,12}?(?:大道|路|街|巷|道|胡同))?"
    r"(?P<number>[0-9]+(?:-[0-9]+)?号(?!楼))?"
    r"(?P<building>.*?[0-9a-z]+栋)?"
    r"(?P<room>.*)$"
)
ADDRESS_PARTS = ("province", "city", "district", "street", "road", "number", "building", "room")


def parse_address(text: str) -> dict[str, str]:
    """Split an address into province, city, district, street (街道), road, number, building
    and room, after the same normalization as the keys (numerals, full width, 栋/座/幢/号楼).

    Municipalities are cities here ("北京市"). Whatever follows the number up to the building
    (a park or tower name) belongs to the building; whatever follows the building is the room.
    """
    normalized = normalize_text(text, keep=_ADDRESS_KEEP)
    normalized = _CN_NUMERAL.sub(_arabic, normalized)
    normalized = _BUILDING.sub("栋", normalized)
    match = _PARTS.match(normalized)
    parts = {name: (match.group(name) or "") if match else "" for name in ADDRESS_PARTS}
    if parts["building"] == "" and parts["number"] and parts["room"]:
        # "15号科兴科学园" with no block: the place name is the building.
        parts["building"], parts["room"] = parts["room"], ""
        room = re.search(r"[0-9]+(?:层)?[0-9]*(?:室|房)?$", parts["building"])
        if room and room.start() > 0:
            parts["building"], parts["room"] = parts["building"][: room.start()], room.group(0)
    return parts
