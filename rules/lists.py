"""The list kinds an administrator can import, their CSV columns, and how a row is checked.

Each kind is a small class registered with ``@list_kind``. Its ``row_parser()`` returns a
function that turns one CSV row (a dict of stripped strings) into the entry to store, or raises
:class:`RowError` with a reason. The import service (rules.services.list_import) owns files,
line numbers, transactions and versions; a kind only knows its own columns, which department
owns it, and the keys its library looks entries up by.

Optional columns are extensions of CONTRACT §2: a file without them imports as before.
"""

from __future__ import annotations

import datetime
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, ClassVar, TypeVar

from django.utils.translation import gettext_lazy as _

from rules import selectors
from rules.addressing import (
    address_key,
    district_free_key,
    resolve_scored,
)
from rules.identifiers import IdentifierInvalid, validate_credit_code, validate_id_number
from rules.jurisdictions import (
    NATIONAL,
    ScopeInvalid,
    authority_of_credit_code,
    region_in_text,
    scope_chain,
    scope_validate,
)
from rules.naming import name_keys
from rules.normalize import normalize_text
from rules.privacy import blind_index, mask_id_number
from rules.registry import Registry

NAME_WORDS = "name_words"
ENTERPRISES = "enterprises"
STANDARD_ADDRESSES = "standard_addresses"
ADDRESS_BLACKLIST = "address_blacklist"
DISHONEST_PERSONS = "dishonest_persons"
CAPITAL_MINIMUMS = "capital_minimums"
ADDRESS_CONCENTRATION = "address_concentration"

MARKET_REGULATION = "market_regulation"
NATURAL_RESOURCES = "natural_resources"
COURT = "court"

# Entry keys are stored in an indexed column of this width.
KEY_MAX_LENGTH = 255

# Enterprise statuses that count as an active company at its address (集中登记).
ACTIVE_STATUSES = {"", "active", "存续", "在业", "开业", "在营"}
# Statuses of a company that has been cancelled (注销) or had its licence revoked (吊销). Its
# name stays reserved at its registration authority for a year after ``cancelled_on``
# (SAMR order 82); without a date, it is taken to be still reserved.
CANCELLED_STATUSES = {"cancelled", "注销", "已注销", "revoked", "吊销", "已吊销"}


class RowError(ValueError):
    """A row cannot be imported; the message is the reason shown to the administrator."""


class KindNotReady(Exception):
    """The whole file cannot be imported yet (e.g. it needs another list to be published)."""


@dataclass(frozen=True)
class ParsedRow:
    key: str  # the normalized lookup key the library probes
    ref: str  # the entry's own identifier (credit code, address code, case number ...)
    data: dict[str, Any]
    # (label, value) pairs that must not repeat inside one file.
    unique: tuple[tuple[str, str], ...] = field(default=())
    key2: str = ""
    key3: str = ""
    # (facet, value) pairs counted per version into ListTally (e.g. enterprises per address).
    tally: tuple[tuple[str, str], ...] = field(default=())


RowParser = Callable[[dict[str, str]], ParsedRow]


class ListKind(ABC):
    """A list an administrator imports, in layers: the national baseline and local ones.

    With ``layering = "union"`` (the default) a local layer adds entries to the enclosing ones.
    With ``"override"`` entries are keyed (a word, an industry, an address), and a local entry
    replaces the enclosing layers' entry with the same key: freely when it is as strict or
    stricter, and only with a recorded ``legal_basis`` when it relaxes it (``relaxes``).
    """

    code: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    department: ClassVar[str] = MARKET_REGULATION
    verbose_name: ClassVar[Any] = ""
    # The columns that identify an entry across versions (for diffs), most significant first.
    identity_columns: ClassVar[tuple[str, ...]] = ("ref", "key")
    layering: ClassVar[str] = "union"

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return cls.required + cls.optional

    @abstractmethod
    def row_parser(self, *, scope: str = NATIONAL) -> RowParser:
        """Prepare for one import into ``scope`` (may read other lists once) and return the row
        parser."""

    def entry_identity(self, key: str, ref: str, data: dict[str, Any]) -> str:
        return ref or key

    def relaxes(self, local: dict[str, Any], enclosing: dict[str, Any]) -> bool:
        """Whether entry ``local`` is less strict than ``enclosing`` (same key, outer layer)."""
        return False

    def legal_basis(self, data: dict[str, Any]) -> str:
        return str(data.get("legal_basis") or "").strip()

    def strictness(self, data: dict[str, Any]) -> str:
        """How strict an entry is, in a few words (shown next to a relaxation)."""
        return ""

    def enclosing_entries(self, *, scope: str) -> dict[str, tuple[str, int, dict[str, Any]]]:
        """key -> (scope, version, data) of the entry in force in the layers enclosing ``scope``
        (their published versions), for an override kind; {} for national or union kinds."""
        if scope == NATIONAL or self.layering != "override":
            return {}
        outer = [s for s in scope_chain(scope) if s != scope]
        layers = selectors.published_layers(kinds=[self.code], scopes=outer)[self.code]
        found: dict[str, tuple[str, int, dict[str, Any]]] = {}
        for version in layers:  # national first: a more local entry replaces an outer one
            for key, _ref, data, _line in selectors.version_entries(version_id=version.id):
                previous = found.get(key)
                if previous is not None and self.relaxes(data, previous[2]) and not self.legal_basis(data):
                    continue
                found[key] = (version.scope, version.number, data)
        return found

    def relaxation_guard(self, *, scope: str) -> Callable[[str, dict[str, Any]], dict[str, Any] | None]:
        """A function (key, data) -> the record of the enclosing entry a row relaxes (stored with
        the row, so the admin shows it), None when it relaxes nothing; RowError for a
        relaxation without a legal basis."""
        enclosing = self.enclosing_entries(scope=scope)

        def guard(key: str, data: dict[str, Any]) -> dict[str, Any] | None:
            outer = enclosing.get(key)
            if outer is None or not self.relaxes(data, outer[2]):
                return None
            outer_scope, number, outer_data = outer
            if not self.legal_basis(data):
                where = "the national list" if outer_scope == NATIONAL else f"the {outer_scope} layer"
                raise RowError(
                    f"relaxes the entry of {where} (version {number}: {self.strictness(outer_data)}) "
                    "without a legal_basis; a local layer may relax an enclosing one only with a recorded legal basis"
                )
            return {"scope": outer_scope, "version": number, "was": self.strictness(outer_data)}

        return guard


L = TypeVar("L", bound=type[ListKind])
list_kinds: Registry[type[ListKind]] = Registry("list kind")


def list_kind(code: str, *, verbose_name: Any = None) -> Callable[[L], L]:
    return list_kinds.register(code, verbose_name=verbose_name)


def list_kind_codes() -> list[str]:
    return list_kinds.codes()


def list_kind_get(code: str) -> ListKind:
    try:
        return list_kinds[code]()
    except KeyError:
        raise KeyError(f"unknown list kind {code!r}; known kinds: {', '.join(list_kinds.codes())}") from None


def list_kind_department(code: str) -> str:
    return list_kinds[code].department


def list_kind_choices() -> list[tuple[str, Any]]:
    """(code, human name) of every list kind."""
    return list_kinds.get_choices()


def list_kinds_of_departments(departments: set[str] | None) -> list[str]:
    """The kinds owned by ``departments`` (None: every kind)."""
    return [code for code, cls in list_kinds.items() if departments is None or cls.department in departments]


def _key(value: str, what: str) -> str:
    if not value:
        raise RowError(f"{what} is empty after normalization")
    if len(value) > KEY_MAX_LENGTH:
        raise RowError(f"{what} is longer than {KEY_MAX_LENGTH} characters")
    return value


def _date(value: str, column: str) -> str:
    if not value:
        return ""
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise RowError(f"{column} {value!r} is not a date like 2024-05-31") from None


_AMOUNT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(亿元|亿|万元|万|元)?$")
_UNITS = {"": 1, "元": 1, "万": 10_000, "万元": 10_000, "亿": 100_000_000, "亿元": 100_000_000}


def parse_amount(value: str) -> Decimal:
    """An amount of yuan: "2000000", "200万", "200万元", "1.5亿"."""
    match = _AMOUNT.match(value.replace(",", "").strip())
    if match is None:
        raise RowError(f"{value!r} is not an amount of yuan like 2000000 or 200万")
    try:
        return Decimal(match.group(1)) * _UNITS[match.group(2) or ""]
    except InvalidOperation:
        raise RowError(f"{value!r} is not an amount of yuan") from None


def _standard_resolver(*, required: bool, what: str, scope: str = NATIONAL) -> Callable[[str], tuple[str, str] | None]:
    """A function mapping a standard code or free-text address to (code, full address) against
    the published standard libraries of ``scope``, of the scopes enclosing it and of those
    within it, or None when it does not resolve confidently."""
    layers = selectors.published_layers_overlapping(kind=STANDARD_ADDRESSES, scope=scope)
    if not layers:
        if required:
            raise KindNotReady(f"no published standard_addresses version to resolve the {what} against")
        return lambda given: None
    ids = [v.id for v in layers]

    def lookup(keys: list[str], free: list[str]) -> list[tuple[str, str, str, str]]:
        return selectors.standard_addresses_candidates(version_ids=ids, keys=keys, district_free_keys=free)

    @lru_cache(maxsize=100_000)
    def resolve(given: str) -> tuple[str, str] | None:
        for version_id in ids:
            entry = selectors.entry_by_ref(version_id=version_id, ref=given)
            if entry is not None:
                return entry.ref, str(entry.data.get("full_address", ""))
        resolution = resolve_scored(given, lookup=lookup)
        if resolution.status != "resolved" or resolution.best is None:
            return None
        return resolution.best.code, resolution.best.full_address

    # The national version when there is one (blacklist rows record which library resolved them).
    resolve.version_number = layers[0].number  # type: ignore[attr-defined]
    return resolve


@list_kind(NAME_WORDS, verbose_name=_("企业名称禁限用字词"))
class NameWords(ListKind):
    """Prohibited and restricted words. A local layer may add words, tighten a word
    (restricted -> prohibited), and, with a legal basis, relax one: to ``restricted``, or to
    ``allowed`` (a level only local layers use: the word may be used there)."""

    required = ("word", "level", "reason")
    optional = ("legal_basis",)
    levels: ClassVar[tuple[str, ...]] = ("prohibited", "restricted")
    local_levels: ClassVar[tuple[str, ...]] = ("prohibited", "restricted", "allowed")
    SEVERITY: ClassVar[dict[str, int]] = {"allowed": 0, "restricted": 1, "prohibited": 2}
    layering = "override"

    identity_columns = ("key",)

    def entry_identity(self, key: str, ref: str, data: dict[str, Any]) -> str:
        return key

    def relaxes(self, local: dict[str, Any], enclosing: dict[str, Any]) -> bool:
        return self.SEVERITY.get(local.get("level", ""), 2) < self.SEVERITY.get(enclosing.get("level", ""), 2)

    def strictness(self, data: dict[str, Any]) -> str:
        return str(data.get("level", ""))

    def row_parser(self, *, scope: str = NATIONAL) -> RowParser:
        levels = self.levels if scope == NATIONAL else self.local_levels
        guard = self.relaxation_guard(scope=scope)

        def parse(row: dict[str, str]) -> ParsedRow:
            level = row["level"].lower()
            if level not in levels:
                extra = " (allowed is for local layers only)" if level == "allowed" else ""
                raise RowError(f"level must be one of {', '.join(levels)}, not {row['level']!r}{extra}")
            key = _key(normalize_text(row["word"]), "word")
            data: dict[str, Any] = {"word": row["word"], "level": level, "reason": row["reason"]}
            if row.get("legal_basis"):
                data["legal_basis"] = row["legal_basis"]
            relaxed = guard(key, data)
            if relaxed is not None:
                data["relaxes"] = relaxed
            elif level == "allowed":
                raise RowError(
                    f"level allowed lifts an enclosing layer's entry, but no enclosing layer lists {row['word']!r}"
                )
            return ParsedRow(key=key, ref="", data=data, unique=(("word", key),))

        return parse


@list_kind(ENTERPRISES, verbose_name=_("已登记企业名单"))
class Enterprises(ListKind):
    """Companies already registered. Each carries its registration authority: the ``authority``
    column, else the division code inside its credit code (GB 32100), else the region of its
    standard address or of its name. A name is unique only among companies whose authorities
    overlap (rules.jurisdictions)."""

    required = ("name", "credit_code")
    optional = ("address", "status", "authority", "cancelled_on")

    def row_parser(self, *, scope: str = NATIONAL) -> RowParser:
        # Only files with an address column need the standard library (for 集中登记 counts).
        resolver = _standard_resolver(required=False, what="enterprise addresses", scope=scope)

        def parse(row: dict[str, str]) -> ParsedRow:
            try:
                code = validate_credit_code(row["credit_code"])
            except IdentifierInvalid as exc:
                raise RowError(exc.reason_en) from None
            keys = name_keys(row["name"])
            key = _key(keys.core, "name")
            data: dict[str, Any] = {"name": row["name"], "credit_code": code}
            if keys.industry_group:
                data["industry"] = keys.industry_group
            tally: tuple[tuple[str, str], ...] = ()
            status = row.get("status", "")
            if status:
                data["status"] = status
            cancelled_on = _date(row.get("cancelled_on", ""), "cancelled_on")
            if cancelled_on:
                if status.lower() not in CANCELLED_STATUSES:
                    raise RowError(f"cancelled_on is given but status {status!r} is not a cancellation")
                data["cancelled_on"] = cancelled_on
            authority = ""
            if row.get("authority"):
                try:
                    authority = scope_validate(row["authority"])
                except ScopeInvalid as exc:
                    raise RowError(f"authority: {exc}") from None
                if authority == NATIONAL:
                    raise RowError("authority must be a region code, not national")
            authority = authority or authority_of_credit_code(code)
            if row.get("address"):
                data["address"] = row["address"]
                resolved = resolver(row["address"])
                if resolved is not None:
                    data["address_code"] = resolved[0]
                    if not authority:
                        region = region_in_text(resolved[1])
                        authority = region.code if region is not None else ""
                    if status.lower() in ACTIVE_STATUSES:
                        tally = (("address", resolved[0]),)
            if not authority:
                region = region_in_text(row["name"])
                authority = region.code if region is not None else ""
            if authority:
                data["authority"] = authority
            # Two companies may share a name in the national register (different regions), but a
            # credit code identifies exactly one.
            return ParsedRow(
                key=key,
                ref=code,
                data=data,
                unique=(("credit_code", code),),
                key2=keys.trade_name,
                key3=keys.pinyin,
                tally=tally,
            )

        return parse


@list_kind(STANDARD_ADDRESSES, verbose_name=_("统一标准地址库"))
class StandardAddresses(ListKind):
    required = ("code", "full_address")
    optional = ("district", "street", "road", "number", "building")
    department = NATURAL_RESOURCES

    def row_parser(self, *, scope: str = NATIONAL) -> RowParser:
        def parse(row: dict[str, str]) -> ParsedRow:
            code = row["code"]
            if len(code) > KEY_MAX_LENGTH:
                raise RowError(f"code is longer than {KEY_MAX_LENGTH} characters")
            key = _key(address_key(row["full_address"]), "full_address")
            data = {"code": code, "full_address": row["full_address"]}
            data.update({column: row[column] for column in self.optional if row.get(column)})
            # Two codes for the same canonical address would make resolution ambiguous.
            return ParsedRow(
                key=key, ref=code, data=data, unique=(("code", code), ("address", key)), key2=district_free_key(key)
            )

        return parse


@list_kind(ADDRESS_BLACKLIST, verbose_name=_("地址负面清单"))
class AddressBlacklist(ListKind):
    required = ("address", "reason")
    optional = ("expires_on", "legal_basis")

    def row_parser(self, *, scope: str = NATIONAL) -> RowParser:
        resolve = _standard_resolver(required=True, what="addresses", scope=scope)

        def parse(row: dict[str, str]) -> ParsedRow:
            given = row["address"]
            # A standard code is taken as is; anything else must resolve like an applicant's text.
            resolved = resolve(given)
            if resolved is None:
                raise RowError(f"address {given!r} is neither a standard code nor resolves to a standard address")
            code, full_address = resolved
            data = {
                "address": given,
                "code": code,
                "full_address": full_address,
                "reason": row["reason"],
                "standard_version": resolve.version_number,  # type: ignore[attr-defined]
            }
            expires_on = _date(row.get("expires_on", ""), "expires_on")
            if expires_on:
                data["expires_on"] = expires_on
            if row.get("legal_basis"):
                data["legal_basis"] = row["legal_basis"]
            return ParsedRow(key=code, ref=code, data=data, unique=(("address", code),))

        return parse


@list_kind(DISHONEST_PERSONS, verbose_name=_("失信被执行人名单"))
class DishonestPersons(ListKind):
    required = ("name", "id_number", "court", "case_number")
    optional = ("published_on",)
    department = COURT

    def row_parser(self, *, scope: str = NATIONAL) -> RowParser:
        def parse(row: dict[str, str]) -> ParsedRow:
            try:
                id_number = validate_id_number(row["id_number"])
            except IdentifierInvalid as exc:
                raise RowError(exc.reason_en) from None  # already masked
            published_on = _date(row.get("published_on", ""), "published_on")
            index = blind_index(id_number)
            # No plaintext ID number at rest: the key is the blind index, the row keeps the mask.
            data = {
                "name": row["name"],
                "id_number": mask_id_number(id_number),
                "court": row["court"],
                "case_number": row["case_number"],
                "published_on": published_on,
            }
            # One person may have several cases; the same case twice is a mistake.
            unique = (("ID number and case_number", f"{index}|{row['case_number']}"),)
            return ParsedRow(key=index, ref=row["case_number"][:KEY_MAX_LENGTH], data=data, unique=unique)

        return parse


@list_kind(CAPITAL_MINIMUMS, verbose_name=_("注册资本最低限额"))
class CapitalMinimums(ListKind):
    """A decision table: a business whose name or scope contains ``industry`` must have at
    least ``minimum`` yuan of registered capital, else ``outcome`` (reject or review). A local
    row replaces the enclosing one for its industry; a lower minimum or a milder outcome is a
    relaxation and needs a legal basis."""

    required = ("industry", "minimum", "outcome")
    optional = ("reason", "legal_basis")
    outcomes: ClassVar[tuple[str, ...]] = ("reject", "review")
    identity_columns = ("key",)
    layering = "override"

    def entry_identity(self, key: str, ref: str, data: dict[str, Any]) -> str:
        return key

    def relaxes(self, local: dict[str, Any], enclosing: dict[str, Any]) -> bool:
        milder = local.get("outcome") == "review" and enclosing.get("outcome") == "reject"
        return milder or Decimal(str(local.get("minimum", "0"))) < Decimal(str(enclosing.get("minimum", "0")))

    def strictness(self, data: dict[str, Any]) -> str:
        return f"minimum {data.get('minimum', '')} yuan, else {data.get('outcome', '')}"

    def row_parser(self, *, scope: str = NATIONAL) -> RowParser:
        guard = self.relaxation_guard(scope=scope)

        def parse(row: dict[str, str]) -> ParsedRow:
            outcome = row["outcome"].lower()
            if outcome not in self.outcomes:
                raise RowError(f"outcome must be one of {', '.join(self.outcomes)}, not {row['outcome']!r}")
            key = _key(normalize_text(row["industry"]), "industry")
            minimum = parse_amount(row["minimum"])
            data = {
                "industry": row["industry"],
                "minimum": str(minimum),
                "outcome": outcome,
                "reason": row.get("reason", ""),
                "legal_basis": row.get("legal_basis", ""),
            }
            relaxed = guard(key, data)
            if relaxed is not None:
                data["relaxes"] = relaxed
            return ParsedRow(key=key, ref="", data=data, unique=(("industry", key),))

        return parse


@list_kind(ADDRESS_CONCENTRATION, verbose_name=_("集中登记阈值"))
class AddressConcentration(ListKind):
    """集中登记: more than ``threshold`` active companies at one standard address goes to review.

    A row without an address sets the default threshold; a row with one (a standard code or an
    address that resolves) overrides it there, e.g. for a business incubator. A local layer's
    row replaces the enclosing one for the same address (or default); a higher threshold is a
    relaxation and needs a legal basis.
    """

    required = ("threshold",)
    optional = ("address", "reason", "legal_basis")
    identity_columns = ("key",)
    DEFAULT = "*"
    layering = "override"

    def relaxes(self, local: dict[str, Any], enclosing: dict[str, Any]) -> bool:
        return int(local.get("threshold", 0)) > int(enclosing.get("threshold", 0))

    def strictness(self, data: dict[str, Any]) -> str:
        return f"threshold {data.get('threshold', '')}"

    def row_parser(self, *, scope: str = NATIONAL) -> RowParser:
        resolve = _standard_resolver(required=False, what="addresses", scope=scope)
        guard = self.relaxation_guard(scope=scope)

        def parse(row: dict[str, str]) -> ParsedRow:
            try:
                threshold = int(row["threshold"])
            except ValueError:
                raise RowError(f"threshold {row['threshold']!r} is not a whole number") from None
            if threshold < 0:
                raise RowError("threshold must not be negative")
            given = row.get("address", "")
            code, full_address = self.DEFAULT, ""
            if given:
                resolved = resolve(given)
                if resolved is None:
                    raise RowError(f"address {given!r} is neither a standard code nor resolves to a standard address")
                code, full_address = resolved
            data = {
                "threshold": threshold,
                "address": given,
                "full_address": full_address,
                "reason": row.get("reason", ""),
            }
            if row.get("legal_basis"):
                data["legal_basis"] = row["legal_basis"]
            relaxed = guard(code, data)
            if relaxed is not None:
                data["relaxes"] = relaxed
            label = "default threshold" if code == self.DEFAULT else "address"
            return ParsedRow(key=code, ref=code, data=data, unique=((label, code),))

        return parse
