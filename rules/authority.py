"""Where an application is registered, and so which jurisdictions' rules apply to it.

The registration authority is the district (or city, or province) of the application's address
once it resolves to a standard address of any scope's library; when it does not, the region its
company name starts with ("深圳市…" -> 440300); when neither places it, it is unknown and only
the national baseline applies (and, for name uniqueness, every authority counts as the same).

This runs once per check, so it costs one query (which standard-address versions are in
effect) and, for a subject not seen with those versions, the address resolution itself.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from threading import Lock

from django.db import connection
from django.utils import timezone

from rules.engine import NATIONAL_ONLY, Jurisdiction, Subject
from rules.jurisdictions import region_in_text, scope_chain, scope_is_valid, scope_sort_key
from rules.models import Publication
from rules.selectors import (
    PublishedVersion,
    publications_pinned_for,
    standard_address_layers,
    standard_addresses_candidates,
)

STANDARD_ADDRESSES = "standard_addresses"
_CACHE_SIZE = 20_000
_cache: OrderedDict[tuple[object, ...], Jurisdiction] = OrderedDict()
_lock = Lock()


def standard_address_versions(*, as_of: datetime.datetime | None = None) -> list[PublishedVersion]:
    """The standard-address version in effect in every scope, in ONE query over the small
    publication log (the latest publication per scope not after ``as_of``); from the pinned
    snapshot while one serves ``as_of``."""
    if publications_pinned_for(as_of):
        return standard_address_layers(as_of=as_of)
    table = Publication._meta.db_table
    moment = connection.ops.adapt_datetimefield_value(as_of or timezone.now())
    sql = (
        f"SELECT p.scope, p.version_id, p.number, p.token FROM {table} p WHERE p.kind = %s AND p.effective_at <= %s "
        f"AND NOT EXISTS (SELECT 1 FROM {table} q WHERE q.kind = p.kind AND q.scope = p.scope "
        "AND q.effective_at <= %s AND (q.effective_at > p.effective_at OR (q.effective_at = p.effective_at "
        "AND q.id > p.id)))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [STANDARD_ADDRESSES, moment, moment])
        rows = cursor.fetchall()
    from rules.selectors import _uuid

    versions = [
        PublishedVersion(kind=STANDARD_ADDRESSES, id=pk, number=number, token=_uuid(token), scope=scope)
        for scope, pk, number, token in rows
    ]
    return sorted(versions, key=lambda v: scope_sort_key(v.scope))


def located_address(*, text: str, versions: list[PublishedVersion]) -> tuple[str, str] | None:
    """(code, full address) of the one standard address ``text`` confidently resolves to in
    any of ``versions``, scored exactly as the addresses library scores it."""
    from rules.addressing import resolve_scored

    ids = [v.id for v in versions]
    if not ids or not text.strip():
        return None

    def lookup(keys: list[str], free: list[str]) -> list[tuple[str, str, str, str]]:
        return standard_addresses_candidates(version_ids=ids, keys=keys, district_free_keys=free)

    resolution = resolve_scored(text, lookup=lookup)
    if resolution.status != "resolved" or resolution.best is None:
        return None
    return resolution.best.code, resolution.best.full_address


def authority_of(*, address: str, name: str, as_of: datetime.datetime | None = None) -> tuple[str, str]:
    """(authority, source) for an address and a company name; ("", "") when neither places it."""
    versions = standard_address_versions(as_of=as_of)
    located = located_address(text=address, versions=versions)
    if located is not None:
        region = region_in_text(located[1])
        if region is not None:
            return region.code, "address"
    region = region_in_text(name)
    if region is not None:
        return region.code, "name"
    return "", ""


def jurisdiction_of(subject: Subject, as_of: datetime.datetime | None = None) -> Jurisdiction:
    """The engine's jurisdiction resolver (installed by the rules app)."""
    if subject.authority and scope_is_valid(subject.authority):
        return Jurisdiction(authority=subject.authority, source="given", scopes=scope_chain(subject.authority))
    versions = standard_address_versions(as_of=as_of)
    key = (tuple(str(v.token) for v in versions), subject.address, subject.company_name)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    located = located_address(text=subject.address, versions=versions)
    region = region_in_text(located[1]) if located is not None else None
    source = "address"
    if region is None:
        region = region_in_text(subject.company_name)
        source = "name"
    if region is None:
        jurisdiction = NATIONAL_ONLY
    else:
        jurisdiction = Jurisdiction(authority=region.code, source=source, scopes=scope_chain(region.code))
    with _lock:
        _cache[key] = jurisdiction
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return jurisdiction
