"""Reading the files administrators upload: UTF-8 CSV, or the first sheet of an XLSX workbook."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any


class FileUnreadable(ValueError):
    """The file is neither UTF-8 text nor a readable workbook; the message says why."""


def xlsx_to_csv(data: bytes) -> str:
    """The first sheet of an XLSX workbook as CSV text, one line per row, so line numbers in the
    error report are the spreadsheet's row numbers."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow([_cell(v) for v in row])
    workbook.close()
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    # A line break inside a cell would shift the line numbers of every later row.
    return str(value).replace("\r", " ").replace("\n", " ")


def upload_text(*, filename: str, data: bytes) -> str:
    """The CSV text of an uploaded file (an .xlsx is converted), or FileUnreadable."""
    if filename.lower().endswith(".xlsx"):
        try:
            return xlsx_to_csv(data)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise FileUnreadable(f"unreadable workbook: {type(exc).__name__}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileUnreadable(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
