"""Export of a list version in its import format, as CSV or XLSX, safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and WPS: a crafted list entry such as ``=HYPERLINK(...)`` would
become a live link in the administrator's spreadsheet (CSV injection, OWASP). Such cells are
written with a leading apostrophe, which spreadsheets show as text; the importer drops that
apostrophe again (rules.services.importing), so an exported file imports unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from rules.lists import list_kind_get
from rules.models import ListEntry, ListVersion

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def cell_escape(value: str) -> str:
    """``value`` made inert for a spreadsheet (see the module docstring)."""
    return ESCAPE + value if value.startswith(FORMULA_TRIGGERS) else value


def cell_unescape(value: str) -> str:
    """The inverse of cell_escape, for values read back from an exported file."""
    if value.startswith(ESCAPE) and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def version_export_rows(*, version_id: int) -> tuple[list[str], Iterator[list[str]]]:
    """(header, rows) of a version in its import format, every cell escaped. ID numbers stay
    masked."""
    version = ListVersion.objects.get(pk=version_id)
    spec = list_kind_get(version.kind)
    columns = list(spec.columns())

    def rows() -> Iterator[list[str]]:
        entries = ListEntry.objects.filter(version_id=version_id).order_by("line").values_list("data", flat=True)
        for data in entries.iterator(chunk_size=5000):
            yield [cell_escape("" if data.get(c) is None else str(data.get(c))) for c in columns]

    return columns, rows()


def export_csv_lines(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """The CSV text, line by line (a UTF-8 byte-order mark first, for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    yield "\ufeff" + out.getvalue()
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow(row)
        yield out.getvalue()


def export_xlsx(header: list[str], rows: Iterable[list[str]], *, sheet_name: str) -> bytes:
    """An XLSX workbook of one sheet. Every cell is written as a string, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])

    def text_cells(values: list[str]) -> list[WriteOnlyCell]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl would store a value starting with "=" as a formula
            cells.append(cell)
        return cells

    sheet.append(text_cells(header))
    for row in rows:
        sheet.append(text_cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
