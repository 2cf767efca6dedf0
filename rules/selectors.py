"""Reads of the rule-library data (HackSoft style: selectors read, services write)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from rules.addressing import ResolvedAddress, StandardAddress, resolve_address
from rules.models import ListEntry, ListVersion, RegisteredEnterprise

# Not imported from rules.lists, which imports this module.
STANDARD_ADDRESSES = "standard_addresses"


@dataclass(frozen=True)
class PublishedVersion:
    kind: str
    id: int
    number: int
    token: UUID


def published_versions(*, kinds: Iterable[str]) -> dict[str, PublishedVersion]:
    """The published version of each kind that has one, in ONE query.

    This runs on every check, so it must stay cheap: it reads a handful of rows through the
    partial unique index on published versions.
    """
    rows = ListVersion.objects.filter(kind__in=list(kinds), status=ListVersion.Status.PUBLISHED).values_list(
        "kind", "id", "number", "token"
    )
    return {kind: PublishedVersion(kind=kind, id=pk, number=number, token=token) for kind, pk, number, token in rows}


def published_version(*, kind: str) -> PublishedVersion | None:
    return published_versions(kinds=[kind]).get(kind)


def version_list(*, kind: str | None = None) -> QuerySet[ListVersion]:
    versions = ListVersion.objects.all()
    if kind is not None:
        versions = versions.filter(kind=kind)
    return versions.order_by("kind", "-number")


def version_entries(*, version_id: int, chunk_size: int = 5000) -> Iterator[tuple[str, str, dict[str, Any], int]]:
    """(key, ref, data, line) of every entry of a version, streamed in file order."""
    rows = ListEntry.objects.filter(version_id=version_id).order_by("line").values_list("key", "ref", "data", "line")
    yield from rows.iterator(chunk_size=chunk_size)


def entries_by_keys(*, version_id: int, keys: Iterable[str]) -> list[ListEntry]:
    """Entries of a version whose key is one of ``keys`` (one indexed query), in file order."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    return list(ListEntry.objects.filter(version_id=version_id, key__in=keys).order_by("line"))


def entry_by_ref(*, version_id: int, ref: str) -> ListEntry | None:
    return ListEntry.objects.filter(version_id=version_id, ref=ref).order_by("line").first()


def standard_addresses_by_keys(*, version_id: int, keys: Iterable[str]) -> dict[str, StandardAddress]:
    """Standard addresses whose normalized key is one of ``keys``, for the address resolver."""
    return {
        entry.key: StandardAddress(code=entry.ref, full_address=str(entry.data.get("full_address", "")))
        for entry in entries_by_keys(version_id=version_id, keys=keys)
    }


def registered_enterprise_by_name_key(*, name_key: str) -> RegisteredEnterprise | None:
    return RegisteredEnterprise.objects.filter(name_key=name_key).order_by("registered_at", "id").first()


def standard_address_resolve(*, text: str) -> ResolvedAddress | None:
    """The published standard address that ``text`` denotes, exactly as the addresses library
    resolves it (for forms that pick the address from the library), or None."""
    version = published_version(kind=STANDARD_ADDRESSES)
    if version is None:
        return None
    return resolve_address(text, lookup=lambda keys: standard_addresses_by_keys(version_id=version.id, keys=keys))
