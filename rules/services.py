"""Writes to the rule-library data: bulk import, publishing, live enterprise registrations."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rules.identifiers import IdentifierInvalid, validate_credit_code
from rules.lists import KindNotReady, ListKind, ParsedRow, RowError, RowParser, list_kind_codes, list_kind_get
from rules.models import ListEntry, ListVersion, RegisteredEnterprise
from rules.normalize import normalize_text

logger = logging.getLogger(__name__)

# Rows per INSERT. Large enough to amortize round trips, small enough for SQLite's limit on
# bound parameters (5 columns x 2000 rows) and for bounded memory on million-row files.
IMPORT_BATCH_SIZE = 2000

# A field of a huge CSV (e.g. a long reason) must not trip the csv module's 128 KiB default.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class ImportSummary:
    kind: str
    count: int
    version: int
    published: bool

    def line(self) -> str:
        return f"{self.kind}: {self.count} entries, version {self.version} {'published' if self.published else 'draft'}"


class ImportFailed(Exception):
    """The file was not imported. ``errors`` lists every bad row as (physical line, reason).

    Line 1 is the header; line 0 means the whole file (e.g. an unknown kind).
    """

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = sorted(errors, key=lambda e: e[0])
        shown = "; ".join(f"line {line}: {reason}" for line, reason in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} bad row(s): {shown}{more}")


def list_kinds() -> list[str]:
    return list_kind_codes()


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(physical line where the record starts, fields) for each CSV record, blank lines skipped."""
    # strict: a stray quote must be an error, not silently swallow the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # e.g. a NUL byte from a binary file: report where, then stop reading.
            raise ImportFailed([(previous_end + 1, f"unreadable CSV: {exc}")]) from None
        start = previous_end + 1
        previous_end = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        yield start, fields


def list_import(*, kind: str, text: str, publish: bool = False, source: str = "") -> ImportSummary:
    """Import a CSV into a new version of ``kind``, all or nothing.

    Every row is checked; if any is bad, ImportFailed lists them all and nothing is stored, not
    even an empty draft version. Rows are written in batches while the file is read, so memory
    stays bounded for very large files; a bad row stops the writing (the transaction will be
    rolled back anyway) but not the checking.
    """
    try:
        spec = list_kind_get(kind)
    except KeyError as exc:
        raise ImportFailed([(0, str(exc.args[0]))]) from None

    # Editors on Windows like to start UTF-8 files with a byte-order mark.
    records = _records(text.removeprefix("\ufeff"))
    first = next(records, None)
    if first is None or first[0] != 1:
        raise ImportFailed([(1, f"missing header row; expected columns: {', '.join(spec.columns())}")])
    header = [h.strip().lower() for h in first[1]]
    missing = [c for c in spec.required if c not in header]
    if missing:
        raise ImportFailed([(1, f"missing required column(s): {', '.join(missing)}")])
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise ImportFailed([(1, f"duplicate column(s): {', '.join(duplicated)}")])
    wanted = [(i, h) for i, h in enumerate(header) if h in spec.columns()]

    with transaction.atomic():
        try:
            parse = spec.row_parser()
        except KindNotReady as exc:
            raise ImportFailed([(0, str(exc))]) from None
        number = (ListVersion.objects.filter(kind=kind).aggregate(m=Max("number"))["m"] or 0) + 1
        version = ListVersion.objects.create(kind=kind, number=number, source=source[:255])

        count, errors = _store_records(records, version=version, header=header, wanted=wanted, spec=spec, parse=parse)
        if errors:
            raise ImportFailed(errors)  # rolls back the version and every batch written so far

        version.entry_count = count
        version.save(update_fields=["entry_count"])
        if publish:
            _publish(version)

    logger.info("imported list %s version %s: %s entries (published=%s)", kind, number, count, publish)
    return ImportSummary(kind=kind, count=count, version=number, published=publish)


def _store_records(
    records: Iterator[tuple[int, list[str]]],
    *,
    version: ListVersion,
    header: list[str],
    wanted: list[tuple[int, str]],
    spec: ListKind,
    parse: RowParser,
) -> tuple[int, list[tuple[int, str]]]:
    """Check every record and write the good ones in batches; return (count, errors)."""
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[str, str], int] = {}
    batch: list[ListEntry] = []
    count = 0
    try:
        for line, fields in records:
            try:
                parsed = _parse_record(fields, header=header, wanted=wanted, required=spec.required, parse=parse)
                for identity in parsed.unique:
                    if identity in seen:
                        raise RowError(f"duplicate {identity[0]} (same as line {seen[identity]})")
                for identity in parsed.unique:
                    seen[identity] = line
            except RowError as exc:
                errors.append((line, str(exc)))
                continue
            count += 1
            if errors:
                continue  # keep checking, stop writing: this transaction will not commit
            batch.append(ListEntry(version=version, line=line, key=parsed.key, ref=parsed.ref, data=parsed.data))
            if len(batch) >= IMPORT_BATCH_SIZE:
                ListEntry.objects.bulk_create(batch, batch_size=IMPORT_BATCH_SIZE)
                batch.clear()
    except ImportFailed as exc:  # the file itself stopped being readable
        errors.extend(exc.errors)
    if batch and not errors:
        ListEntry.objects.bulk_create(batch, batch_size=IMPORT_BATCH_SIZE)
    return count, errors


def _parse_record(
    fields: list[str],
    *,
    header: list[str],
    wanted: list[tuple[int, str]],
    required: tuple[str, ...],
    parse: RowParser,
) -> ParsedRow:
    if len(fields) > len(header) and any(f.strip() for f in fields[len(header) :]):
        raise RowError(f"{len(fields)} fields but the header has {len(header)} columns")
    row = {name: (fields[i].strip() if i < len(fields) else "") for i, name in wanted}
    empty = [c for c in required if not row.get(c)]
    if empty:
        raise RowError(f"empty required field(s): {', '.join(empty)}")
    return parse(row)


def _publish(version: ListVersion) -> None:
    # Archive first: the partial unique index allows one published version per kind at any
    # moment, including inside this transaction.
    ListVersion.objects.filter(kind=version.kind, status=ListVersion.Status.PUBLISHED).exclude(pk=version.pk).update(
        status=ListVersion.Status.ARCHIVED
    )
    version.status = ListVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])


def version_publish(*, kind: str, number: int) -> None:
    """Make version ``number`` of ``kind`` the active one (archiving the current one).

    Publishing an archived version is how an administrator rolls back. Workers pick the change
    up on their next check; no restart is needed.
    """
    with transaction.atomic():
        # Lock the kind's versions so two concurrent publishes serialize instead of colliding
        # on the unique index.
        versions = {v.number: v for v in ListVersion.objects.select_for_update().filter(kind=kind)}
        version = versions.get(number)
        if version is None:
            raise ValueError(f"{kind} has no version {number}")
        if version.status == ListVersion.Status.PUBLISHED:
            return
        _publish(version)
    logger.info("published list %s version %s", kind, number)


def enterprise_register(*, name: str, credit_code: str) -> None:
    """Record an enterprise that market regulation has just registered.

    Idempotent on the credit code, so a redelivered notification is harmless. The names library
    sees the registration at once: it queries these rows on every check, next to the published
    ``enterprises`` list.
    """
    try:
        code = validate_credit_code(credit_code)
    except IdentifierInvalid as exc:
        raise ValueError(exc.reason_en) from None
    name = name.strip()
    name_key = normalize_text(name)
    if not name_key:
        raise ValueError("enterprise name is empty")
    RegisteredEnterprise.objects.update_or_create(credit_code=code, defaults={"name": name, "name_key": name_key})
