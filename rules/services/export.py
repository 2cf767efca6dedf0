"""Export of a list version in its import format."""

from __future__ import annotations

from collections.abc import Iterator

from rules.lists import list_kind_get
from rules.models import ListEntry, ListVersion


def version_export_rows(*, version_id: int) -> tuple[list[str], Iterator[list[str]]]:
    """(header, rows) of a version in its import format. ID numbers stay masked."""
    version = ListVersion.objects.get(pk=version_id)
    spec = list_kind_get(version.kind)
    columns = list(spec.columns())

    def rows() -> Iterator[list[str]]:
        entries = ListEntry.objects.filter(version_id=version_id).order_by("line").values_list("data", flat=True)
        for data in entries.iterator(chunk_size=5000):
            yield ["" if data.get(c) is None else str(data.get(c)) for c in columns]

    return columns, rows()
