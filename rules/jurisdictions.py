"""Jurisdictions: the scope a list version belongs to, and which scopes apply to an application.

Names in China follow national norms (State Council decree 734, SAMR order 82), and every
province, city and district may add local rules on top. A list version therefore belongs to a
*scope*: ``national``, or the GB/T 2260 code of a province (``440000``), a city (``440300``) or
a district (``440305``), checked against python-stdnum's region table (rules.regions).

An application is checked against every scope that contains its registration authority,
national first: a Nanshan (440305) application sees ``national``, ``440000``, ``440300`` and
``440305``. Two registration authorities *overlap* when one is, or contains, the other (a
city's register covers its districts); an unknown authority overlaps every authority, so that
not knowing where a company is registered never lets a duplicate through.

Pure Python: no Django, so the engine and the admin share it.
"""

from __future__ import annotations

from functools import lru_cache

from rules.normalize import normalize_text
from rules.regions import COUNTY, PREFECTURE, PROVINCE, Region, region_table

NATIONAL = "national"


class ScopeInvalid(ValueError):
    """Not ``national`` nor the code of a province, city or district in use today."""


def scope_validate(code: str) -> str:
    """The canonical form of ``code``, or ScopeInvalid with a reason an administrator can act on."""
    value = (code or "").strip().lower()
    if value in ("", NATIONAL):
        return NATIONAL
    if not (len(value) == 6 and value.isdigit()):
        raise ScopeInvalid(
            f"scope {code!r} is neither 'national' nor a 6-digit region code such as 440000, 440300 or 440305"
        )
    if value not in region_table().by_code:
        raise ScopeInvalid(f"scope {code!r} is not the code of a province, city or district in use today")
    return value


def scope_is_valid(code: str) -> bool:
    try:
        scope_validate(code)
    except ScopeInvalid:
        return False
    return True


def region_of(code: str) -> Region | None:
    return region_table().by_code.get(code)


def scope_level(code: str) -> int:
    """0 for national, else the region's level (1 province, 2 city, 3 district)."""
    if code == NATIONAL:
        return 0
    region = region_of(code)
    return region.level if region is not None else 0


@lru_cache(maxsize=4096)
def scope_chain(authority: str) -> tuple[str, ...]:
    """The scopes that contain ``authority`` (itself included), national first.

    An empty or unknown authority is checked against the national baseline only.
    """
    region = region_of(authority) if authority else None
    if region is None:
        return (NATIONAL,)
    table = region_table().by_code
    chain = [NATIONAL]
    for code, level in ((region.code[:2] + "0000", PROVINCE), (region.code[:4] + "00", PREFECTURE)):
        parent = table.get(code)
        if parent is not None and parent.level == level and level <= region.level and code not in chain:
            chain.append(code)
    if region.code not in chain:
        chain.append(region.code)
    return tuple(chain)


def scope_contains(outer: str, inner: str) -> bool:
    """Whether ``inner`` lies within ``outer`` (a scope contains itself; national contains all)."""
    if outer == NATIONAL:
        return True
    return outer in scope_chain(inner)


def authorities_overlap(first: str, second: str) -> bool:
    """Whether two registration authorities share a register: the same one, or one contains the
    other. Unknown (empty) overlaps everything: uniqueness must never be skipped for lack of data."""
    if not first or not second:
        return True
    return scope_contains(first, second) or scope_contains(second, first)


def scope_label(code: str) -> str:
    if code == NATIONAL:
        return "全国 / national"
    region = region_of(code)
    return f"{region.name} ({code})" if region is not None else code


def scope_sort_key(code: str) -> tuple[int, str]:
    return (scope_level(code), "" if code == NATIONAL else code)


def region_in_text(text: str) -> Region | None:
    """The most specific administrative division a name or address starts with
    ("广东省深圳市南山区…" -> 南山区 440305), as the name parser reads regions; None if none."""
    from rules.naming import _match_regions

    normalized = normalize_text(text or "")
    if not normalized:
        return None
    matched, _problem, _end = _match_regions(normalized, 0)
    return matched[-1][0] if matched else None


def authority_of_credit_code(credit_code: str) -> str:
    """The registration authority's region code inside a unified social credit code (GB 32100:
    characters 3-8), when it names a division in use today; else ""."""
    code = (credit_code or "").strip()
    if len(code) != 18:
        return ""
    region = code[2:8]
    return region if region in region_table().by_code else ""


__all__ = [
    "COUNTY",
    "NATIONAL",
    "ScopeInvalid",
    "authorities_overlap",
    "authority_of_credit_code",
    "region_in_text",
    "scope_chain",
    "scope_contains",
    "scope_is_valid",
    "scope_label",
    "scope_level",
    "scope_sort_key",
    "scope_validate",
]
