"""Bulk import of a list file into a new version of a list kind, all or nothing (CONTRACT §2)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max

from rules.jurisdictions import NATIONAL, ScopeInvalid, scope_validate
from rules.lists import (
    KindNotReady,
    ListKind,
    ParsedRow,
    RowError,
    RowParser,
    list_kind_codes,
    list_kind_get,
)
from rules.models import ListEntry, ListTally, ListVersion
from rules.services.export import cell_unescape
from rules.services.publishing import PublishRefused, _publish

logger = logging.getLogger(__name__)

# Rows per INSERT. Large enough to amortize round trips, small enough for SQLite's limit on
# bound parameters (7 columns x 2000 rows) and for bounded memory on million-row files.
IMPORT_BATCH_SIZE = 2000
# PostgreSQL takes rows through COPY, where bigger batches only save round trips.
COPY_BATCH_SIZE = 20000

# Between two batches of a batched (SQLite) import, the write lock is left free this long:
# longer than the 100 ms a waiting writer's busy handler sleeps between tries, so that one gets
# in instead of the import taking the lock straight back.
IMPORT_YIELD_SECONDS = 0.1

# Imports at least this large refresh the planner statistics of the entries table.
ANALYZE_AFTER_ROWS = 10_000

# A field of a huge CSV (e.g. a long reason) must not trip the csv module's 128 KiB default.
csv.field_size_limit(16 * 1024 * 1024)


# How often (in records) an import reports its progress.
PROGRESS_EVERY = 2000

# Called with the physical line the import has reached.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportSummary:
    kind: str
    count: int
    version: int
    published: bool
    scope: str = NATIONAL

    def line(self) -> str:
        where = "" if self.scope == NATIONAL else f" ({self.scope})"
        state = "published" if self.published else "draft"
        return f"{self.kind}{where}: {self.count} entries, version {self.version} {state}"


class ImportFailed(Exception):
    """The file was not imported. ``errors`` lists every bad row as (physical line, reason).

    Line 1 is the header; line 0 means the whole file (e.g. an unknown kind, or golden cases
    that refuse the publication).
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


def list_import(
    *,
    kind: str,
    text: str,
    publish: bool = False,
    source: str = "",
    published_by: str = "",
    effective_at: datetime.datetime | None = None,
    scope: str = NATIONAL,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a CSV into a new version of ``kind`` in the layer of ``scope``, all or nothing.

    Every row is checked; if any is bad, ImportFailed lists them all and nothing is stored, not
    even an empty draft version. Rows are written in batches while the file is read (COPY on
    PostgreSQL), so memory stays bounded for very large files; a bad row stops the writing (the
    transaction will be rolled back anyway) but not the checking. With ``publish``, the golden
    cases must pass first; their failures are reported as line 0 and nothing is stored.

    ``scope`` is ``national`` (the default, CONTRACT §2) or a region code; versions are
    numbered per kind and scope. ``progress`` is called now and then with the line reached.
    """
    try:
        spec = list_kind_get(kind)
    except KeyError as exc:
        raise ImportFailed([(0, str(exc.args[0]))]) from None
    try:
        scope = scope_validate(scope)
    except ScopeInvalid as exc:
        raise ImportFailed([(0, str(exc))]) from None

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

    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        summary = _import_in_batches(
            records,
            kind=kind,
            scope=scope,
            spec=spec,
            header=header,
            wanted=wanted,
            publish=publish,
            source=source,
            published_by=published_by,
            effective_at=effective_at,
            progress=progress,
        )
    else:
        summary = _import_in_one_transaction(
            records,
            kind=kind,
            scope=scope,
            spec=spec,
            header=header,
            wanted=wanted,
            publish=publish,
            source=source,
            published_by=published_by,
            effective_at=effective_at,
            progress=progress,
        )
    logger.info("imported list %s@%s version %s: %s entries", kind, scope, summary.version, summary.count)
    return summary


def _row_parser(spec: ListKind, *, scope: str) -> RowParser:
    try:
        return spec.row_parser(scope=scope)
    except KindNotReady as exc:
        raise ImportFailed([(0, str(exc))]) from None


def _version_create(*, kind: str, scope: str, source: str, created_by: str, status: str) -> ListVersion:
    number = (ListVersion.objects.filter(kind=kind, scope=scope).aggregate(m=Max("number"))["m"] or 0) + 1
    return ListVersion.objects.create(
        kind=kind, scope=scope, number=number, source=source[:255], created_by=created_by, status=status
    )


def _version_finish(
    version: ListVersion,
    *,
    count: int,
    publish: bool,
    published_by: str,
    effective_at: datetime.datetime | None,
) -> None:
    version.entry_count = count
    version.status = ListVersion.Status.DRAFT
    version.save(update_fields=["entry_count", "status"])
    if count >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        # Fresh planner statistics: without them, the first checks against a freshly
        # loaded million-row version may scan instead of probing the index.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ListEntry._meta.db_table}")
    if publish:
        try:
            _publish(version, published_by=published_by, effective_at=effective_at)
        except PublishRefused as refused:
            raise ImportFailed([(0, f.describe()) for f in refused.failures]) from None


def _import_in_one_transaction(
    records: Iterator[tuple[int, list[str]]],
    *,
    kind: str,
    scope: str,
    spec: ListKind,
    header: list[str],
    wanted: list[tuple[int, str]],
    publish: bool,
    source: str,
    published_by: str,
    effective_at: datetime.datetime | None,
    progress: Progress | None,
) -> ImportSummary:
    """PostgreSQL (and any caller's open transaction): rows are written while the file is read,
    and a bad row rolls back the version and every batch written so far."""
    with transaction.atomic():
        parse = _row_parser(spec, scope=scope)
        version = _version_create(
            kind=kind, scope=scope, source=source, created_by=published_by, status=ListVersion.Status.DRAFT
        )
        writer = _EntryWriter(version)
        count, errors, tallies = _check_records(
            records, header=header, wanted=wanted, spec=spec, parse=parse, progress=progress, sink=writer.add
        )
        if errors:
            raise ImportFailed(errors)  # rolls back the version and every batch written so far
        writer.flush()
        _tallies_write(version, tallies)
        _version_finish(version, count=count, publish=publish, published_by=published_by, effective_at=effective_at)
    return ImportSummary(kind=kind, count=count, version=version.number, published=publish, scope=scope)


def _import_in_batches(
    records: Iterator[tuple[int, list[str]]],
    *,
    kind: str,
    scope: str,
    spec: ListKind,
    header: list[str],
    wanted: list[tuple[int, str]],
    publish: bool,
    source: str,
    published_by: str,
    effective_at: datetime.datetime | None,
    progress: Progress | None,
) -> ImportSummary:
    """Embedded SQLite, where a transaction holds the one write lock of the whole database: a
    100k-row import in one transaction made every other writer wait for seconds.

    So every row is checked first, with nothing written; a bad row still means nothing is
    stored. Then the version is written in batches, each its own short transaction, while it is
    `loading` (no check, no publication and no administrator can use it), and made a draft (and
    published) in a last one. If the writing fails, the partial version is deleted.
    """
    parse = _row_parser(spec, scope=scope)
    checked: list[tuple[int, ParsedRow]] = []
    count, errors, tallies = _check_records(
        records,
        header=header,
        wanted=wanted,
        spec=spec,
        parse=parse,
        progress=progress,
        sink=lambda line, parsed: checked.append((line, parsed)),
    )
    if errors:
        raise ImportFailed(errors)
    with transaction.atomic():
        version = _version_create(
            kind=kind, scope=scope, source=source, created_by=published_by, status=ListVersion.Status.LOADING
        )
    try:
        for start in range(0, len(checked), IMPORT_BATCH_SIZE):
            if start:
                time.sleep(IMPORT_YIELD_SECONDS)
            with transaction.atomic():
                writer = _EntryWriter(version)
                writer.rows = checked[start : start + IMPORT_BATCH_SIZE]
                writer.flush()
        with transaction.atomic():
            _tallies_write(version, tallies)
            _version_finish(version, count=count, publish=publish, published_by=published_by, effective_at=effective_at)
    except BaseException:
        _version_discard(version)
        raise
    return ImportSummary(kind=kind, count=count, version=version.number, published=publish, scope=scope)


def _version_discard(version: ListVersion) -> None:
    """Deletes a version whose import did not finish, its entries in batches (short transactions)."""
    while True:
        with transaction.atomic():
            batch = list(ListEntry.objects.filter(version=version).values_list("pk", flat=True)[:IMPORT_BATCH_SIZE])
            if not batch:
                ListTally.objects.filter(version=version).delete()
                ListVersion.objects.filter(pk=version.pk).delete()
                return
            ListEntry.objects.filter(pk__in=batch).delete()


def _tallies_write(version: ListVersion, tallies: Counter[tuple[str, str]]) -> None:
    ListTally.objects.bulk_create(
        [ListTally(version=version, facet=f, value=v, count=n) for (f, v), n in tallies.items()],
        batch_size=IMPORT_BATCH_SIZE,
    )


class _EntryWriter:
    """Writes entries in batches: COPY on PostgreSQL, bulk INSERT elsewhere."""

    def __init__(self, version: ListVersion) -> None:
        self.version = version
        self.copy = connection.vendor == "postgresql"
        self.size = COPY_BATCH_SIZE if self.copy else IMPORT_BATCH_SIZE
        self.rows: list[tuple[int, ParsedRow]] = []

    def add(self, line: int, parsed: ParsedRow) -> None:
        self.rows.append((line, parsed))
        if len(self.rows) >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self.copy:
            columns = "version_id, line, key, ref, key2, key3, data"
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {ListEntry._meta.db_table} ({columns}) FROM STDIN") as copy:
                    vid = self.version.pk
                    for line, p in self.rows:
                        copy.write_row(
                            (vid, line, p.key, p.ref, p.key2, p.key3, json.dumps(p.data, ensure_ascii=False))
                        )
        else:
            ListEntry.objects.bulk_create(
                [
                    ListEntry(
                        version=self.version, line=line, key=p.key, ref=p.ref, key2=p.key2, key3=p.key3, data=p.data
                    )
                    for line, p in self.rows
                ],
                batch_size=IMPORT_BATCH_SIZE,
            )
        self.rows.clear()


def _check_records(
    records: Iterator[tuple[int, list[str]]],
    *,
    header: list[str],
    wanted: list[tuple[int, str]],
    spec: ListKind,
    parse: RowParser,
    progress: Progress | None,
    sink: Callable[[int, ParsedRow], None],
) -> tuple[int, list[tuple[int, str]], Counter[tuple[str, str]]]:
    """Check every record and hand the good ones to ``sink`` until the first bad one; return
    (count, errors, tallies)."""
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[str, str], int] = {}
    tallies: Counter[tuple[str, str]] = Counter()
    count = 0
    try:
        for line, fields in records:
            if progress is not None and (count + len(errors)) % PROGRESS_EVERY == 0:
                progress(line)
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
                continue  # keep checking, stop storing: nothing will be imported
            tallies.update(parsed.tally)
            sink(line, parsed)
    except ImportFailed as exc:  # the file itself stopped being readable
        errors.extend(exc.errors)
    return count, errors, tallies


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
    # An apostrophe our own export put before a formula-like cell is dropped again.
    row = {name: cell_unescape(fields[i].strip()) if i < len(fields) else "" for i, name in wanted}
    empty = [c for c in required if not row.get(c)]
    if empty:
        raise RowError(f"empty required field(s): {', '.join(empty)}")
    return parse(row)
