"""Reads of the rule-library data (HackSoft style: selectors read, services write)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import QuerySet, Sum
from django.utils import timezone

from rules.addressing import ResolvedAddress, StandardAddress, resolve_address
from rules.models import HitCount, ListEntry, ListTally, ListVersion, Publication, RegisteredEnterprise

# Not imported from rules.lists, which imports this module.
STANDARD_ADDRESSES = "standard_addresses"


@dataclass(frozen=True)
class PublishedVersion:
    kind: str
    id: int
    number: int
    token: UUID


def _db_datetime(moment: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def published_versions(*, kinds: Iterable[str], as_of: datetime.datetime | None = None) -> dict[str, PublishedVersion]:
    """The version of each kind in effect at ``as_of`` (default: now), in ONE query.

    This runs on every check, so it stays cheap: for each kind, one probe of the index on
    (kind, effective_at) of the small publication log, combined with UNION ALL.
    """
    kinds = list(dict.fromkeys(kinds))
    if not kinds:
        return {}
    moment = _db_datetime(as_of or timezone.now())
    table = Publication._meta.db_table
    part = (
        f"SELECT * FROM (SELECT kind, version_id, number, token FROM {table} "
        "WHERE kind = %s AND effective_at <= %s ORDER BY effective_at DESC, id DESC LIMIT 1) AS p{}"
    )
    sql = " UNION ALL ".join(part.format(i) for i in range(len(kinds)))
    params: list[Any] = []
    for kind in kinds:
        params += [kind, moment]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        kind: PublishedVersion(kind=kind, id=pk, number=number, token=token if isinstance(token, UUID) else UUID(token))
        for kind, pk, number, token in rows
    }


def published_version(*, kind: str, as_of: datetime.datetime | None = None) -> PublishedVersion | None:
    return published_versions(kinds=[kind], as_of=as_of).get(kind)


def version_by_id(*, version_id: int) -> PublishedVersion | None:
    row = ListVersion.objects.filter(pk=version_id).values_list("kind", "id", "number", "token").first()
    if row is None:
        return None
    kind, pk, number, token = row
    return PublishedVersion(kind=kind, id=pk, number=number, token=token)


def version_list(*, kind: str | None = None, kinds: Iterable[str] | None = None) -> QuerySet[ListVersion]:
    versions = ListVersion.objects.all()
    if kind is not None:
        versions = versions.filter(kind=kind)
    if kinds is not None:
        versions = versions.filter(kind__in=list(kinds))
    return versions.order_by("kind", "-number")


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


def entries_matching(
    *, version_id: int, key: str = "", key2: Iterable[str] = (), key3: str = "", limit: int = 200
) -> list[tuple[int, str, str, str, str, Any]]:
    """(line, key, ref, key2, key3, data) of entries matching any of the given keys, in ONE query.

    Raw SQL: this is the hot path of the names library against millions of enterprises, and
    the three OR-ed conditions each use their own index (a bitmap OR on PostgreSQL).
    """
    conditions: list[str] = []
    params: list[Any] = [version_id]
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
    sql = (
        f"SELECT line, key, ref, key2, key3, data FROM {table} WHERE version_id = %s AND ({' OR '.join(conditions)}) "
        f"ORDER BY line LIMIT {int(limit)}"
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
    *, version_id: int, keys: Iterable[str], district_free_keys: Iterable[str], limit: int = 50
) -> list[tuple[str, str, str, str]]:
    """(key, key2, code, full_address) of standard addresses whose full key is one of ``keys``
    or whose district-free key is one of ``district_free_keys``; one query."""
    keys = list(dict.fromkeys(keys))
    free = list(dict.fromkeys(district_free_keys))
    conditions: list[str] = []
    params: list[Any] = [version_id]
    if keys:
        conditions.append(f"key IN ({', '.join(['%s'] * len(keys))})")
        params += keys
    if free:
        conditions.append(f"key2 IN ({', '.join(['%s'] * len(free))})")
        params += free
    if not conditions:
        return []
    table = ListEntry._meta.db_table
    sql = (
        f"SELECT key, key2, ref, data FROM {table} WHERE version_id = %s AND ({' OR '.join(conditions)}) "
        f"ORDER BY line LIMIT {int(limit)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(key, key2, ref, str(_json(data).get("full_address", ""))) for key, key2, ref, data in rows]


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
    """Live registrations with the same core name, one of the trade names, or the same pinyin."""
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


def registered_count_at(*, address_code: str, as_of: datetime.datetime | None = None) -> int:
    registered = RegisteredEnterprise.objects.filter(address_code=address_code)
    if as_of is not None:
        registered = registered.filter(registered_at__lte=as_of)
    return registered.count()


def standard_address_resolve(*, text: str) -> ResolvedAddress | None:
    """The published standard address that ``text`` denotes, exactly as the addresses library
    resolves it (for forms that pick the address from the library), or None."""
    version = published_version(kind=STANDARD_ADDRESSES)
    if version is None:
        return None
    return resolve_address(text, lookup=lambda keys: standard_addresses_by_keys(version_id=version.id, keys=keys))


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
