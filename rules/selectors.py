"""Reads of the rule-library data (HackSoft style: selectors read, services write)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import QuerySet, Sum
from django.utils import timezone

from rules.addressing import ResolvedAddress, StandardAddress, resolve_address
from rules.jurisdictions import NATIONAL, scope_contains, scope_sort_key
from rules.models import (
    HitCount,
    ListEntry,
    ListTally,
    ListVersion,
    NameReservation,
    Publication,
    RegisteredEnterprise,
)

# Not imported from rules.lists, which imports this module.
STANDARD_ADDRESSES = "standard_addresses"


@dataclass(frozen=True)
class PublishedVersion:
    kind: str
    id: int
    number: int
    token: UUID
    scope: str = NATIONAL


def _db_datetime(moment: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _uuid(token: Any) -> UUID:
    return token if isinstance(token, UUID) else UUID(str(token))


@dataclass(frozen=True)
class _PublicationSnapshot:
    """The publication log as one moment saw it: what was in effect, and who ever published."""

    moment: datetime.datetime
    in_effect: dict[tuple[str, str], PublishedVersion]  # (kind, scope) -> its version at `moment`
    scopes_ever: dict[str, set[str]]  # kind -> every scope that has published it, even for later


_pinned: ContextVar[_PublicationSnapshot | None] = ContextVar("rules_publications_pinned", default=None)


@contextmanager
def publications_pinned() -> Iterator[None]:
    """Inside, every read of the publication log (which versions are in effect, which scopes have
    published) is answered from one snapshot taken on entry, in one query.

    A check stage runs several libraries on one application, and each asked the log again: which
    layers, whether any local layer exists, which scopes list standard addresses, about ten
    queries per application. Pinned, they cost one, and every library of the stage sees the same
    moment of the log (a publication landing mid-stage applies from the next application on).
    Reads for another moment (``as_of`` of a replay) still query the log.
    """
    if _pinned.get() is not None:
        yield
        return
    token = _pinned.set(_publication_snapshot(timezone.now()))
    try:
        yield
    finally:
        _pinned.reset(token)


def _publication_snapshot(moment: datetime.datetime) -> _PublicationSnapshot:
    # Per (kind, scope): the latest publication in effect at `moment` and the latest one after
    # it (which only shows that the scope has published). The log is small and append-only.
    table = Publication._meta.db_table
    sql = (
        "SELECT kind, scope, version_id, number, token, in_effect FROM ("
        "SELECT kind, scope, version_id, number, token, effective_at <= %s AS in_effect, "
        "ROW_NUMBER() OVER (PARTITION BY kind, scope, effective_at <= %s ORDER BY effective_at DESC, id DESC) "
        f"AS place FROM {table}) AS p WHERE place = 1"
    )
    at = _db_datetime(moment)
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, at])
        rows = cursor.fetchall()
    in_effect: dict[tuple[str, str], PublishedVersion] = {}
    scopes_ever: dict[str, set[str]] = {}
    for kind, scope, pk, number, token, effective in rows:
        scopes_ever.setdefault(kind, set()).add(scope)
        if effective:
            version = PublishedVersion(kind=kind, id=pk, number=number, token=_uuid(token), scope=scope)
            in_effect[(kind, scope)] = version
    return _PublicationSnapshot(moment=moment, in_effect=in_effect, scopes_ever=scopes_ever)


def _snapshot_for(as_of: datetime.datetime | None) -> _PublicationSnapshot | None:
    """The pinned snapshot, when one is pinned and the read is for its moment (or for now)."""
    snapshot = _pinned.get()
    if snapshot is None or (as_of is not None and as_of != snapshot.moment):
        return None
    return snapshot


def publications_pinned_for(as_of: datetime.datetime | None = None) -> bool:
    """Whether a pinned snapshot answers publication reads for ``as_of``."""
    return _snapshot_for(as_of) is not None


def published_layers(
    *, kinds: Iterable[str], scopes: Iterable[str] = (NATIONAL,), as_of: datetime.datetime | None = None
) -> dict[str, list[PublishedVersion]]:
    """For each kind, the version of each of ``scopes`` in effect at ``as_of`` (default: now),
    in the order of ``scopes`` (national first), in ONE query.

    This runs on every check, so it stays cheap: for each (kind, scope), one probe of the index
    on (kind, scope, effective_at) of the small publication log, combined with UNION ALL. A
    scope without a publication of a kind simply has no layer for it.
    """
    kinds = list(dict.fromkeys(kinds))
    scopes = list(dict.fromkeys(scopes))
    layers: dict[str, list[PublishedVersion]] = {kind: [] for kind in kinds}
    if not kinds or not scopes:
        return layers
    snapshot = _snapshot_for(as_of)
    if snapshot is not None:
        for kind in kinds:
            layers[kind] = [snapshot.in_effect[(kind, s)] for s in scopes if (kind, s) in snapshot.in_effect]
        return layers
    moment = _db_datetime(as_of or timezone.now())
    table = Publication._meta.db_table
    part = (
        f"SELECT * FROM (SELECT kind, scope, version_id, number, token FROM {table} "
        "WHERE kind = %s AND scope = %s AND effective_at <= %s ORDER BY effective_at DESC, id DESC LIMIT 1) AS p{}"
    )
    pairs = [(kind, scope) for kind in kinds for scope in scopes]
    sql = " UNION ALL ".join(part.format(i) for i in range(len(pairs)))
    params: list[Any] = []
    for kind, scope in pairs:
        params += [kind, scope, moment]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = {
        (kind, scope): PublishedVersion(kind=kind, id=pk, number=number, token=_uuid(token), scope=scope)
        for kind, scope, pk, number, token in rows
    }
    for kind, scope in pairs:
        if (kind, scope) in found:
            layers[kind].append(found[(kind, scope)])
    return layers


def published_versions(*, kinds: Iterable[str], as_of: datetime.datetime | None = None) -> dict[str, PublishedVersion]:
    """The national version of each kind in effect at ``as_of`` (default: now)."""
    return {kind: versions[0] for kind, versions in published_layers(kinds=kinds, as_of=as_of).items() if versions}


def published_version(
    *, kind: str, scope: str = NATIONAL, as_of: datetime.datetime | None = None
) -> PublishedVersion | None:
    versions = published_layers(kinds=[kind], scopes=[scope], as_of=as_of)[kind]
    return versions[0] if versions else None


def has_local_layers(*, kinds: Iterable[str]) -> bool:
    """Whether any scope other than national has ever published one of ``kinds`` (one probe of
    the small publication log's index)."""
    snapshot = _snapshot_for(None)
    if snapshot is not None:
        return any(scope != NATIONAL for kind in kinds for scope in snapshot.scopes_ever.get(kind, ()))
    return Publication.objects.filter(kind__in=list(kinds)).exclude(scope=NATIONAL).exists()


def published_scopes(*, kind: str) -> list[str]:
    """Every scope that has ever published a version of ``kind``."""
    snapshot = _snapshot_for(None)
    if snapshot is not None:
        return sorted(snapshot.scopes_ever.get(kind, ()))
    # order_by(): the model's ordering would join the DISTINCT and repeat a scope per publication.
    return list(Publication.objects.filter(kind=kind).order_by().values_list("scope", flat=True).distinct())


def published_layers_overlapping(
    *, kind: str, scope: str, as_of: datetime.datetime | None = None
) -> list[PublishedVersion]:
    """The versions of ``kind`` in effect in every scope that contains or lies within ``scope``:
    what an import into ``scope`` may resolve against (e.g. standard addresses)."""
    scopes = sorted(
        (s for s in published_scopes(kind=kind) if scope_contains(scope, s) or scope_contains(s, scope)),
        key=scope_sort_key,
    )
    return published_layers(kinds=[kind], scopes=scopes, as_of=as_of)[kind]


def version_by_id(*, version_id: int) -> PublishedVersion | None:
    row = ListVersion.objects.filter(pk=version_id).values_list("kind", "id", "number", "token", "scope").first()
    if row is None:
        return None
    kind, pk, number, token, scope = row
    return PublishedVersion(kind=kind, id=pk, number=number, token=_uuid(token), scope=scope)


def version_list(
    *, kind: str | None = None, kinds: Iterable[str] | None = None, scope: str | None = None
) -> QuerySet[ListVersion]:
    versions = ListVersion.objects.all()
    if kind is not None:
        versions = versions.filter(kind=kind)
    if kinds is not None:
        versions = versions.filter(kind__in=list(kinds))
    if scope is not None:
        versions = versions.filter(scope=scope)
    return versions.order_by("kind", "scope", "-number")


def version_entries(*, version_id: int, chunk_size: int = 5000) -> Iterator[tuple[str, str, dict[str, Any], int]]:
    """(key, ref, data, line) of every entry of a version, streamed in file order."""
    rows = ListEntry.objects.filter(version_id=version_id).order_by("line").values_list("key", "ref", "data", "line")
    yield from rows.iterator(chunk_size=chunk_size)


@dataclass(frozen=True)
class EntryRow:
    line: int
    key: str
    ref: str
    data: dict[str, Any]


def _json(value: Any) -> dict[str, Any]:
    # psycopg decodes jsonb itself; SQLite hands back the text.
    return json.loads(value) if isinstance(value, str) else value


def entries_by_keys(*, version_id: int, keys: Iterable[str], field: str = "key") -> list[EntryRow]:
    """Entries of a version whose ``field`` (key, key2, key3 or ref) is one of ``keys``, in file
    order. Raw SQL: this is the per-check hot path, and model instances cost more than the query."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    if field not in ("key", "key2", "key3", "ref"):
        raise ValueError(f"not a lookup field: {field}")
    table = ListEntry._meta.db_table
    placeholders = ", ".join(["%s"] * len(keys))
    sql = (
        f"SELECT line, key, ref, data FROM {table} WHERE version_id = %s AND {field} IN ({placeholders}) ORDER BY line"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [version_id, *keys])
        return [EntryRow(line, key, ref, _json(data)) for line, key, ref, data in cursor.fetchall()]


def entries_by_keys_layered(
    *, version_ids: Iterable[int], keys: Iterable[str], field: str = "key"
) -> list[tuple[int, EntryRow]]:
    """(version id, entry) of the entries of any of the layers ``version_ids`` whose ``field`` is
    one of ``keys``, in ONE query, by layer and file order."""
    ids = list(dict.fromkeys(version_ids))
    keys = list(dict.fromkeys(keys))
    if not ids or not keys:
        return []
    if field not in ("key", "key2", "key3", "ref"):
        raise ValueError(f"not a lookup field: {field}")
    table = ListEntry._meta.db_table
    sql = (
        f"SELECT version_id, line, key, ref, data FROM {table} WHERE version_id IN ({', '.join(['%s'] * len(ids))}) "
        f"AND {field} IN ({', '.join(['%s'] * len(keys))}) ORDER BY version_id, line"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *keys])
        return [(vid, EntryRow(line, key, ref, _json(data))) for vid, line, key, ref, data in cursor.fetchall()]


def entries_matching(
    *,
    version_id: int | None = None,
    version_ids: Iterable[int] = (),
    key: str = "",
    key2: Iterable[str] = (),
    key3: str = "",
    limit: int = 200,
) -> list[tuple[int, str, str, str, str, Any]]:
    """(line, key, ref, key2, key3, data) of entries of the version ``version_id`` (or of any of
    the layers ``version_ids``: then version_id leads each tuple) matching any of the given
    keys, in ONE query.

    Raw SQL: this is the hot path of the names library against millions of enterprises, and
    the three OR-ed conditions each use their own index (a bitmap OR on PostgreSQL).
    """
    layered = version_id is None
    ids = [version_id] if version_id is not None else list(dict.fromkeys(version_ids))
    if not ids:
        return []
    conditions: list[str] = []
    params: list[Any] = list(ids)
    if key:
        conditions.append("key = %s")
        params.append(key)
    key2 = [k for k in dict.fromkeys(key2) if k]
    if key2:
        conditions.append(f"key2 IN ({', '.join(['%s'] * len(key2))})")
        params += key2
    if key3:
        conditions.append("key3 = %s")
        params.append(key3)
    if not conditions:
        return []
    table = ListEntry._meta.db_table
    lead = "version_id, " if layered else ""
    versions = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT {lead}line, key, ref, key2, key3, data FROM {table} WHERE version_id IN ({versions}) "
        f"AND ({' OR '.join(conditions)}) ORDER BY version_id, line LIMIT {int(limit)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def entry_by_ref(*, version_id: int, ref: str) -> ListEntry | None:
    return ListEntry.objects.filter(version_id=version_id, ref=ref).order_by("line").first()


def standard_addresses_by_keys(*, version_id: int, keys: Iterable[str]) -> dict[str, StandardAddress]:
    """Standard addresses whose normalized key is one of ``keys``, for the address resolver."""
    return {
        entry.key: StandardAddress(code=entry.ref, full_address=str(entry.data.get("full_address", "")))
        for entry in entries_by_keys(version_id=version_id, keys=keys)
    }


def standard_addresses_candidates(
    *,
    version_id: int | None = None,
    version_ids: Iterable[int] = (),
    keys: Iterable[str],
    district_free_keys: Iterable[str],
    limit: int = 50,
) -> list[tuple[str, str, str, str]]:
    """(key, key2, code, full_address) of standard addresses whose full key is one of ``keys``
    or whose district-free key is one of ``district_free_keys``, in the version ``version_id``
    or any of the layers ``version_ids``; one query. A code listed by two layers counts once."""
    ids = list(dict.fromkeys([*([version_id] if version_id is not None else []), *version_ids]))
    keys = list(dict.fromkeys(keys))
    free = list(dict.fromkeys(district_free_keys))
    if not ids:
        return []
    conditions: list[str] = []
    params: list[Any] = list(ids)
    if keys:
        conditions.append(f"key IN ({', '.join(['%s'] * len(keys))})")
        params += keys
    if free:
        conditions.append(f"key2 IN ({', '.join(['%s'] * len(free))})")
        params += free
    if not conditions:
        return []
    table = ListEntry._meta.db_table
    versions = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT key, key2, ref, data FROM {table} WHERE version_id IN ({versions}) AND ({' OR '.join(conditions)}) "
        f"ORDER BY version_id, line LIMIT {int(limit)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    seen: set[str] = set()
    candidates = []
    for key, key2, ref, data in rows:
        if ref in seen:
            continue
        seen.add(ref)
        candidates.append((key, key2, ref, str(_json(data).get("full_address", ""))))
    return candidates


def standard_address_layers(*, as_of: datetime.datetime | None = None) -> list[PublishedVersion]:
    """The published standard-address version of every scope: an address belongs to whichever
    city's library lists it, so locating an application's address looks in all of them."""
    scopes = sorted(published_scopes(kind=STANDARD_ADDRESSES), key=scope_sort_key)
    return published_layers(kinds=[STANDARD_ADDRESSES], scopes=scopes, as_of=as_of)[STANDARD_ADDRESSES]


def tally(*, version_id: int, facet: str, value: str) -> int:
    row = ListTally.objects.filter(version_id=version_id, facet=facet, value=value).values_list("count", flat=True)
    return next(iter(row), 0)


def registered_enterprise_by_name_key(
    *, name_key: str, as_of: datetime.datetime | None = None
) -> RegisteredEnterprise | None:
    registered = RegisteredEnterprise.objects.filter(name_key=name_key)
    if as_of is not None:
        registered = registered.filter(registered_at__lte=as_of)
    return registered.order_by("registered_at", "id").first()


def registered_enterprises_matching(
    *, core_key: str, trade_name_keys: Iterable[str], pinyin_key: str, as_of: datetime.datetime | None = None
) -> list[RegisteredEnterprise]:
    """Live registrations with the same core name, one of the trade names, or the same pinyin,
    active or cancelled (the caller decides what a cancellation still blocks)."""
    from django.db.models import Q

    condition = Q()
    if core_key:
        condition |= Q(core_key=core_key)
    trade = [k for k in dict.fromkeys(trade_name_keys) if k]
    if trade:
        condition |= Q(trade_name_key__in=trade)
    if pinyin_key:
        condition |= Q(pinyin_key=pinyin_key)
    if not condition:
        return []
    registered = RegisteredEnterprise.objects.filter(condition)
    if as_of is not None:
        registered = registered.filter(registered_at__lte=as_of)
    return list(registered.order_by("registered_at", "id")[:200])


def name_reservations_holding(
    *, core_key: str, trade_name_keys: Iterable[str], moment: datetime.datetime, as_of: datetime.datetime | None = None
) -> list[NameReservation]:
    """Reservations holding the core name or one of the trade names at ``moment`` (made by
    ``as_of`` in a replay; a later release does not undo a hold that was in force then)."""
    from django.db.models import Q

    condition = Q(core_key=core_key) if core_key else Q()
    trade = [k for k in dict.fromkeys(trade_name_keys) if k]
    if trade:
        condition |= Q(trade_name_key__in=trade)
    if not condition:
        return []
    holding = NameReservation.objects.filter(condition, expires_at__gt=moment)
    if as_of is None:
        holding = holding.filter(status=NameReservation.Status.ACTIVE)
    else:
        holding = holding.filter(created_at__lte=as_of).filter(
            Q(status=NameReservation.Status.ACTIVE) | Q(released_at__gt=as_of)
        )
    return list(holding.order_by("created_at")[:50])


def registered_count_at(*, address_code: str, as_of: datetime.datetime | None = None) -> int:
    """Active live registrations at a standard address (a company cancelled by then has left)."""
    from django.db.models import Q

    registered = RegisteredEnterprise.objects.filter(address_code=address_code)
    moment = as_of or timezone.now()
    registered = registered.filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=moment))
    if as_of is not None:
        registered = registered.filter(registered_at__lte=as_of)
    return registered.count()


def standard_address_resolve(*, text: str) -> ResolvedAddress | None:
    """The published standard address that ``text`` denotes (for forms that pick the address
    from the library), in the national library or any local one, or None."""
    for version in standard_address_layers():
        resolved = resolve_address(
            text, lookup=lambda keys, v=version: standard_addresses_by_keys(version_id=v.id, keys=keys)
        )
        if resolved is not None:
            return resolved
    return None


def hit_counts(*, list_kind: str, entries: Iterable[str], days: int = 30) -> dict[str, int]:
    """Hits of each of ``entries`` of a list over the last ``days`` days."""
    entries = [e for e in entries if e]
    if not entries:
        return {}
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    rows = (
        HitCount.objects.filter(list_kind=list_kind, entry__in=entries, day__gte=since)
        .values("entry")
        .annotate(total=Sum("count"))
    )
    return {row["entry"]: row["total"] for row in rows}


def hit_summary(
    *, libraries: Iterable[str] | None = None, list_kinds: Iterable[str] | None = None, days: int = 30
) -> list[dict[str, Any]]:
    """(library, rule, list_kind, entry, total) over the last ``days`` days, most frequent first."""
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    rows = HitCount.objects.filter(day__gte=since)
    if libraries is not None:
        rows = rows.filter(library__in=list(libraries))
    if list_kinds is not None:
        from django.db.models import Q

        rows = rows.filter(Q(list_kind__in=list(list_kinds)) | Q(list_kind=""))
    return list(
        rows.values("library", "rule", "list_kind", "entry").annotate(total=Sum("count")).order_by("-total")[:500]
    )
