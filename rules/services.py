"""Writes to the rule-library data: bulk import, publishing (with golden cases), live
enterprise registrations, hit counts; and the checks an administrator runs before publishing
(golden cases, impact preview, version diff)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import Collate
from django.utils import timezone

from rules import engine
from rules.engine import PersonFacts, Ports, Subject
from rules.identifiers import IdentifierInvalid, validate_credit_code
from rules.lists import (
    KindNotReady,
    ListKind,
    ParsedRow,
    RowError,
    RowParser,
    list_kind_codes,
    list_kind_get,
)
from rules.models import GoldenCase, ListEntry, ListTally, ListVersion, Publication, RegisteredEnterprise
from rules.naming import name_keys
from rules.normalize import normalize_text
from rules.privacy import blind_index, mask_id_number
from rules.signals import version_published

logger = logging.getLogger(__name__)

# Rows per INSERT. Large enough to amortize round trips, small enough for SQLite's limit on
# bound parameters (7 columns x 2000 rows) and for bounded memory on million-row files.
IMPORT_BATCH_SIZE = 2000
# PostgreSQL takes rows through COPY, where bigger batches only save round trips.
COPY_BATCH_SIZE = 20000

# Imports at least this large refresh the planner statistics of the entries table.
ANALYZE_AFTER_ROWS = 10_000

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

    Line 1 is the header; line 0 means the whole file (e.g. an unknown kind, or golden cases
    that refuse the publication).
    """

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = sorted(errors, key=lambda e: e[0])
        shown = "; ".join(f"line {line}: {reason}" for line, reason in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} bad row(s): {shown}{more}")


@dataclass(frozen=True)
class GoldenResult:
    case_id: int
    title: str
    library: str
    expected: str
    actual: str
    expected_rule: str
    rules: tuple[str, ...]
    error: str = ""

    @property
    def passed(self) -> bool:
        return (
            not self.error
            and self.actual == self.expected
            and (not self.expected_rule or self.expected_rule in self.rules)
        )

    def describe(self) -> str:
        if self.error:
            return f"golden case “{self.title}” ({self.library}) could not run: {self.error}"
        wanted = self.expected + (f" with rule {self.expected_rule}" if self.expected_rule else "")
        got = self.actual + (f" ({', '.join(self.rules)})" if self.rules else "")
        return f"golden case “{self.title}” ({self.library}) expected {wanted}, got {got}"


class PublishRefused(Exception):
    """Publishing was refused because golden cases fail; ``failures`` says which and how."""

    def __init__(self, failures: list[GoldenResult]) -> None:
        self.failures = failures
        super().__init__("; ".join(f.describe() for f in failures))


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
) -> ImportSummary:
    """Import a CSV into a new version of ``kind``, all or nothing.

    Every row is checked; if any is bad, ImportFailed lists them all and nothing is stored, not
    even an empty draft version. Rows are written in batches while the file is read (COPY on
    PostgreSQL), so memory stays bounded for very large files; a bad row stops the writing (the
    transaction will be rolled back anyway) but not the checking. With ``publish``, the golden
    cases must pass first; their failures are reported as line 0 and nothing is stored.
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
        version = ListVersion.objects.create(kind=kind, number=number, source=source[:255], created_by=published_by)

        count, errors = _store_records(records, version=version, header=header, wanted=wanted, spec=spec, parse=parse)
        if errors:
            raise ImportFailed(errors)  # rolls back the version and every batch written so far

        version.entry_count = count
        version.save(update_fields=["entry_count"])
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

    logger.info("imported list %s version %s: %s entries (published=%s)", kind, number, count, publish)
    return ImportSummary(kind=kind, count=count, version=number, published=publish)


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
    tallies: Counter[tuple[str, str]] = Counter()
    writer = _EntryWriter(version)
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
            tallies.update(parsed.tally)
            writer.add(line, parsed)
    except ImportFailed as exc:  # the file itself stopped being readable
        errors.extend(exc.errors)
    if not errors:
        writer.flush()
        ListTally.objects.bulk_create(
            [ListTally(version=version, facet=f, value=v, count=n) for (f, v), n in tallies.items()],
            batch_size=IMPORT_BATCH_SIZE,
        )
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


# --- Publishing ---------------------------------------------------------------------------------


def _publish(version: ListVersion, *, published_by: str, effective_at: datetime.datetime | None) -> None:
    failures = [r for r in golden_cases_run(kind=version.kind, version_id=version.pk) if not r.passed]
    if failures:
        raise PublishRefused(failures)
    now = timezone.now()
    effective = effective_at or now
    # Archive first: the partial unique index allows one published version per kind at any
    # moment, including inside this transaction.
    ListVersion.objects.filter(kind=version.kind, status=ListVersion.Status.PUBLISHED).exclude(pk=version.pk).update(
        status=ListVersion.Status.ARCHIVED
    )
    version.status = ListVersion.Status.PUBLISHED
    version.published_at = now
    version.published_by = published_by[:150]
    version.effective_from = effective
    version.save(update_fields=["status", "published_at", "published_by", "effective_from"])
    Publication.objects.create(
        kind=version.kind,
        version=version,
        number=version.number,
        token=version.token,
        effective_at=effective,
        published_by=published_by[:150],
    )
    kind, number = version.kind, version.number
    transaction.on_commit(
        lambda: version_published.send(sender=ListVersion, kind=kind, number=number, published_by=published_by)
    )


def version_publish(
    *, kind: str, number: int, published_by: str = "", effective_at: datetime.datetime | None = None
) -> None:
    """Make version ``number`` of ``kind`` the active one (from ``effective_at``, default now).

    Publishing an archived version is how an administrator rolls back. Workers pick the change
    up on their next check; no restart is needed. Raises PublishRefused while a golden case of a
    library that reads this list fails against the version.
    """
    with transaction.atomic():
        # Lock the kind's versions so two concurrent publishes serialize instead of colliding
        # on the unique index.
        versions = {v.number: v for v in ListVersion.objects.select_for_update().filter(kind=kind)}
        version = versions.get(number)
        if version is None:
            raise ValueError(f"{kind} has no version {number}")
        if version.status == ListVersion.Status.PUBLISHED and effective_at is None:
            current = Publication.objects.filter(kind=kind, effective_at__lte=timezone.now()).first()
            if current is not None and current.version_id == version.pk:
                return
        _publish(version, published_by=published_by, effective_at=effective_at)
    logger.info("published list %s version %s", kind, number)


# --- Golden cases -------------------------------------------------------------------------------

_PERSON_SLOTS = ("legal_representative", "handler")


def _seal_person(person: dict[str, Any]) -> dict[str, Any]:
    sealed = {k: v for k, v in person.items() if k not in ("id_number", "phone")}
    id_number = str(person.get("id_number") or "")
    if id_number:
        sealed["id_index"] = blind_index(id_number)
        sealed["id_masked"] = mask_id_number(id_number.strip().upper())
    return sealed


def golden_document_seal(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every ID number replaced by its blind index and mask, phones dropped."""
    sealed = dict(document)
    for slot in _PERSON_SLOTS:
        if isinstance(sealed.get(slot), dict):
            sealed[slot] = _seal_person(sealed[slot])
    if isinstance(sealed.get("shareholders"), list):
        sealed["shareholders"] = [_seal_person(p) for p in sealed["shareholders"] if isinstance(p, dict)]
    return sealed


def golden_subject(document: dict[str, Any]) -> Subject:
    """A Subject from a sealed golden-case document (persons carry only the blind index)."""
    base = Subject.from_document(document)
    legal = document.get("legal_representative") or {}
    handler = document.get("handler") or legal
    people = []
    if legal:
        people.append((engine.ROLE_LEGAL_REPRESENTATIVE, legal))
    if handler:
        people.append((engine.ROLE_HANDLER, handler))
    people += [(engine.ROLE_SHAREHOLDER, p) for p in document.get("shareholders") or ()]
    persons = tuple(
        PersonFacts(role=role, name=str(p.get("name") or ""), id_number="", id_index=str(p.get("id_index") or ""))
        for role, p in people
    )
    return Subject(
        company_name=base.company_name,
        address=base.address,
        business_scope=base.business_scope,
        registered_capital=base.registered_capital,
        employees=base.employees,
        persons=persons,
    )


def golden_case_create(
    *,
    kind: str,
    title: str,
    document: dict[str, Any],
    expected_outcome: str,
    library: str = "",
    expected_rule: str = "",
    created_by: str = "",
) -> GoldenCase:
    """Attach a test case to a list. ``library`` defaults to the library that reads ``kind``."""
    list_kind_get(kind)  # raises KeyError for an unknown kind
    users = engine.libraries_using(kind)
    library = library or (users[0] if users else "")
    if library not in users:
        raise ValueError(f"library {library!r} does not read the list {kind!r} (readers: {', '.join(users)})")
    if expected_outcome not in ("pass", "review", "reject"):
        raise ValueError("expected_outcome must be pass, review or reject")
    return GoldenCase.objects.create(
        kind=kind,
        library=library,
        title=title[:200],
        document=golden_document_seal(document),
        expected_outcome=expected_outcome,
        expected_rule=expected_rule,
        created_by=created_by[:150],
    )


def golden_cases_run(*, kind: str, version_id: int | None = None) -> list[GoldenResult]:
    """Run the golden cases of every library that reads ``kind``, with version ``version_id`` of
    ``kind`` in place of the published one (None: as published)."""
    libraries = engine.libraries_using(kind)
    overrides = {kind: version_id} if version_id is not None else {}
    results = []
    for case in GoldenCase.objects.filter(library__in=libraries).order_by("id"):
        try:
            result = engine.check_library(
                case.library, golden_subject(case.document), ports=Ports(), overrides=overrides
            )
        except Exception as exc:  # a case that cannot run must not let a publication through
            results.append(
                GoldenResult(
                    case.pk,
                    case.title,
                    case.library,
                    case.expected_outcome,
                    "error",
                    case.expected_rule,
                    (),
                    error=type(exc).__name__,
                )
            )
            continue
        results.append(
            GoldenResult(
                case_id=case.pk,
                title=case.title,
                library=case.library,
                expected=case.expected_outcome,
                actual=result.outcome,
                expected_rule=case.expected_rule,
                rules=tuple(f.rule for f in result.findings),
            )
        )
    return results


# --- Impact preview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactChange:
    reference: str
    library: str
    recorded: str | None  # the application's recorded overall outcome
    before: str
    after: str
    rules_before: tuple[str, ...]
    rules_after: tuple[str, ...]


@dataclass(frozen=True)
class ImpactReport:
    examined: int
    changes: list[ImpactChange] = field(default_factory=list)
    errors: int = 0


def impact_preview(*, kind: str, number: int, limit: int = 50) -> ImpactReport:
    """Re-run the last ``limit`` real applications against version ``number`` of ``kind`` and
    list every library outcome that would change compared with the version in effect."""
    from rules.ports import recent_subjects

    version = ListVersion.objects.get(kind=kind, number=number)
    libraries = engine.libraries_using(kind)
    changes: list[ImpactChange] = []
    examined = errors = 0
    for reference, subject, recorded in recent_subjects(limit):
        examined += 1
        for library in libraries:
            try:
                before = engine.check_library(library, subject, ports=Ports())
                after = engine.check_library(library, subject, ports=Ports(), overrides={kind: version.pk})
            except Exception:
                errors += 1
                continue
            if before.outcome != after.outcome:
                changes.append(
                    ImpactChange(
                        reference=reference,
                        library=library,
                        recorded=recorded,
                        before=before.outcome,
                        after=after.outcome,
                        rules_before=tuple(f.rule for f in before.findings),
                        rules_after=tuple(f.rule for f in after.findings),
                    )
                )
    return ImpactReport(examined=examined, changes=changes, errors=errors)


# --- Version diff -------------------------------------------------------------------------------


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


def version_diff(*, kind: str, old: int, new: int, limit: int = 200) -> VersionDiff:
    """Entries added, removed and changed from version ``old`` to ``new``, streamed (a merge of
    both versions sorted by entry identity), so million-row lists diff in bounded memory."""
    spec = list_kind_get(kind)
    versions = {v.number: v for v in ListVersion.objects.filter(kind=kind, number__in=[old, new])}
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


# --- Export -------------------------------------------------------------------------------------


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


# --- Live registrations and hit counts -----------------------------------------------------------


def enterprise_register(*, name: str, credit_code: str, address: str | None = None) -> None:
    """Record an enterprise that market regulation has just registered.

    Idempotent on the credit code, so a redelivered notification is harmless. The names library
    sees the registration at once: it queries these rows on every check, next to the published
    ``enterprises`` list. With ``address``, the registration also counts towards the number of
    companies at its standard address (集中登记).
    """
    try:
        code = validate_credit_code(credit_code)
    except IdentifierInvalid as exc:
        raise ValueError(exc.reason_en) from None
    name = name.strip()
    name_key = normalize_text(name)
    if not name_key:
        raise ValueError("enterprise name is empty")
    keys = name_keys(name)
    defaults: dict[str, Any] = {
        "name": name,
        "name_key": name_key[:255],
        "core_key": keys.core,
        "trade_name_key": keys.trade_name,
        "pinyin_key": keys.pinyin,
        "industry": keys.industry_group[:40],
    }
    if address is not None:
        from rules.selectors import standard_address_resolve

        resolved = standard_address_resolve(text=address)
        defaults["address"] = address.strip()[:255]
        defaults["address_code"] = resolved.code if resolved is not None else ""
    RegisteredEnterprise.objects.update_or_create(credit_code=code, defaults=defaults)


def hits_record(findings: list[engine.Finding]) -> None:
    """Count each finding once for today, per (library, rule, list, entry)."""
    if not findings:
        return
    today = timezone.localdate()
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for finding in findings:
        entry = finding.entry
        counts[(finding.library, finding.rule, entry.list if entry else "", entry.id[:255] if entry else "")] += 1
    from rules.models import HitCount

    table = HitCount._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(counts))
    params: list[Any] = []
    day = connection.ops.adapt_datefield_value(today)
    for (library, rule, list_kind, entry), n in counts.items():
        params += [day, library, rule, list_kind, entry, n]
    sql = (
        f"INSERT INTO {table} (day, library, rule, list_kind, entry, count) VALUES {values} "
        "ON CONFLICT (day, library, rule, list_kind, entry) DO UPDATE SET count = "
        f"{table}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
