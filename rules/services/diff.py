"""The difference between two versions of a list, streamed in bounded memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models.functions import Collate

from rules.jurisdictions import NATIONAL
from rules.lists import list_kind_get
from rules.models import ListEntry, ListVersion


@dataclass(frozen=True)
class DiffRow:
    change: str  # "added" | "removed" | "changed"
    identity: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass(frozen=True)
class VersionDiff:
    kind: str
    old: int
    new: int
    added: int
    removed: int
    changed: int
    unchanged: int
    rows: list[DiffRow]


def _identity_stream(version_id: int, columns: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    collation = "C" if connection.vendor == "postgresql" else "BINARY"
    ordering = [Collate(c, collation) for c in columns]
    rows = ListEntry.objects.filter(version_id=version_id).order_by(*ordering, "line").values_list(*columns, "data")
    for row in rows.iterator(chunk_size=5000):
        yield tuple(row[: len(columns)]), row[-1]


def version_diff(*, kind: str, old: int, new: int, limit: int = 200, scope: str = NATIONAL) -> VersionDiff:
    """Entries added, removed and changed from version ``old`` to ``new`` of one layer,
    streamed (a merge of both versions sorted by entry identity), so million-row lists diff in
    bounded memory."""
    spec = list_kind_get(kind)
    versions = {v.number: v for v in ListVersion.objects.filter(kind=kind, scope=scope, number__in=[old, new])}
    if old not in versions or new not in versions:
        raise ValueError(f"{kind} has no version {old if old not in versions else new}")
    columns = spec.identity_columns
    left = _identity_stream(versions[old].pk, columns)
    right = _identity_stream(versions[new].pk, columns)
    counts = Counter()
    rows: list[DiffRow] = []

    def emit(change: str, identity: tuple[str, ...], a: dict | None, b: dict | None) -> None:
        counts[change] += 1
        if change != "unchanged" and len(rows) < limit:
            shown = " / ".join(_identity_label(kind, identity, a or b or {}))
            rows.append(DiffRow(change, shown, a, b))

    a = next(left, None)
    b = next(right, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            emit("removed", a[0], a[1], None)
            a = next(left, None)
        elif a is None or b[0] < a[0]:
            emit("added", b[0], None, b[1])
            b = next(right, None)
        else:
            emit("unchanged" if _comparable(a[1]) == _comparable(b[1]) else "changed", a[0], a[1], b[1])
            a, b = next(left, None), next(right, None)
    return VersionDiff(kind, old, new, counts["added"], counts["removed"], counts["changed"], counts["unchanged"], rows)


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    # Which standard-library version resolved a blacklist address is bookkeeping, not content.
    return {k: v for k, v in data.items() if k != "standard_version"}


def _identity_label(kind: str, identity: tuple[str, ...], data: dict[str, Any]) -> list[str]:
    # Never show a blind index: it means nothing to a person. Show the masked row instead.
    from rules.lists import DISHONEST_PERSONS

    if kind == DISHONEST_PERSONS:
        return [str(data.get("case_number", "")), f"{data.get('name', '')} {data.get('id_number', '')}"]
    return [str(part) for part in identity if part]
