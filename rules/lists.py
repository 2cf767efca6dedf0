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

from rules import selectors
from rules.addressing import (
    address_key,
    district_free_key,
    resolve_scored,
)
from rules.identifiers import IdentifierInvalid, validate_credit_code, validate_id_number
from rules.naming import name_keys
from rules.normalize import normalize_text
from rules.privacy import blind_index, mask_id_number

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
    code: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    department: ClassVar[str] = MARKET_REGULATION
    label: ClassVar[str] = ""
    # The columns that identify an entry across versions (for diffs), most significant first.
    identity_columns: ClassVar[tuple[str, ...]] = ("ref", "key")

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return cls.required + cls.optional

    @abstractmethod
    def row_parser(self) -> RowParser:
        """Prepare for one import (may read other lists once) and return the row parser."""

    def entry_identity(self, key: str, ref: str, data: dict[str, Any]) -> str:
        return ref or key


L = TypeVar("L", bound=type[ListKind])
_list_kinds: dict[str, type[ListKind]] = {}


def list_kind(code: str) -> Callable[[L], L]:
    def decorator(cls: L) -> L:
        cls.code = code
        _list_kinds[code] = cls
        return cls

    return decorator


def list_kind_codes() -> list[str]:
    return list(_list_kinds)


def list_kind_get(code: str) -> ListKind:
    try:
        return _list_kinds[code]()
    except KeyError:
        raise KeyError(f"unknown list kind {code!r}; known kinds: {', '.join(_list_kinds)}") from None


def list_kind_department(code: str) -> str:
    return _list_kinds[code].department


def list_kinds_of_departments(departments: set[str] | None) -> list[str]:
    """The kinds owned by ``departments`` (None: every kind)."""
    return [code for code, cls in _list_kinds.items() if departments is None or cls.department in departments]


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


def _standard_resolver(*, required: bool, what: str) -> Callable[[str], tuple[str, str] | None]:
    """A function mapping a standard code or free-text address to (code, full address) against
    the published standard library, or None when it does not resolve confidently."""
    standard = selectors.published_version(kind=STANDARD_ADDRESSES)
    if standard is None:
        if required:
            raise KindNotReady(f"no published standard_addresses version to resolve the {what} against")
        return lambda given: None

    def lookup(keys: list[str], free: list[str]) -> list[tuple[str, str, str, str]]:
        return selectors.standard_addresses_candidates(version_id=standard.id, keys=keys, district_free_keys=free)

    @lru_cache(maxsize=100_000)
    def resolve(given: str) -> tuple[str, str] | None:
        entry = selectors.entry_by_ref(version_id=standard.id, ref=given)
        if entry is not None:
            return entry.ref, str(entry.data.get("full_address", ""))
        resolution = resolve_scored(given, lookup=lookup)
        if resolution.status != "resolved" or resolution.best is None:
            return None
        return resolution.best.code, resolution.best.full_address

    resolve.version_number = standard.number  # type: ignore[attr-defined]
    return resolve


@list_kind(NAME_WORDS)
class NameWords(ListKind):
    required = ("word", "level", "reason")
    optional = ("legal_basis",)
    label = "企业名称禁限用字词 / prohibited and restricted words"
    levels: ClassVar[tuple[str, ...]] = ("prohibited", "restricted")

    identity_columns = ("key",)

    def entry_identity(self, key: str, ref: str, data: dict[str, Any]) -> str:
        return key

    def row_parser(self) -> RowParser:
        def parse(row: dict[str, str]) -> ParsedRow:
            level = row["level"].lower()
            if level not in self.levels:
                raise RowError(f"level must be one of {', '.join(self.levels)}, not {row['level']!r}")
            key = _key(normalize_text(row["word"]), "word")
            data = {"word": row["word"], "level": level, "reason": row["reason"]}
            if row.get("legal_basis"):
                data["legal_basis"] = row["legal_basis"]
            return ParsedRow(key=key, ref="", data=data, unique=(("word", key),))

        return parse


@list_kind(ENTERPRISES)
class Enterprises(ListKind):
    required = ("name", "credit_code")
    optional = ("address", "status")
    label = "已登记企业 / registered enterprises"

    def row_parser(self) -> RowParser:
        # Only files with an address column need the standard library (for 集中登记 counts).
        resolver = _standard_resolver(required=False, what="enterprise addresses")

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
            if row.get("address"):
                data["address"] = row["address"]
                resolved = resolver(row["address"])
                if resolved is not None:
                    data["address_code"] = resolved[0]
                    if status.lower() in ACTIVE_STATUSES:
                        tally = (("address", resolved[0]),)
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


@list_kind(STANDARD_ADDRESSES)
class StandardAddresses(ListKind):
    required = ("code", "full_address")
    optional = ("district", "street", "road", "number", "building")
    department = NATURAL_RESOURCES
    label = "统一标准地址库 / unified standard addresses"

    def row_parser(self) -> RowParser:
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


@list_kind(ADDRESS_BLACKLIST)
class AddressBlacklist(ListKind):
    required = ("address", "reason")
    optional = ("expires_on", "legal_basis")
    label = "地址负面清单 / address negative list"

    def row_parser(self) -> RowParser:
        resolve = _standard_resolver(required=True, what="addresses")

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


@list_kind(DISHONEST_PERSONS)
class DishonestPersons(ListKind):
    required = ("name", "id_number", "court", "case_number")
    optional = ("published_on",)
    department = COURT
    label = "失信被执行人名单 / dishonest judgment debtors"

    def row_parser(self) -> RowParser:
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


@list_kind(CAPITAL_MINIMUMS)
class CapitalMinimums(ListKind):
    """A decision table: a business whose name or scope contains ``industry`` must have at
    least ``minimum`` yuan of registered capital, else ``outcome`` (reject or review)."""

    required = ("industry", "minimum", "outcome")
    optional = ("reason", "legal_basis")
    label = "注册资本最低限额 / registered capital minimums"
    outcomes: ClassVar[tuple[str, ...]] = ("reject", "review")
    identity_columns = ("key",)

    def entry_identity(self, key: str, ref: str, data: dict[str, Any]) -> str:
        return key

    def row_parser(self) -> RowParser:
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
            return ParsedRow(key=key, ref="", data=data, unique=(("industry", key),))

        return parse


@list_kind(ADDRESS_CONCENTRATION)
class AddressConcentration(ListKind):
    """集中登记: more than ``threshold`` active companies at one standard address goes to review.

    A row without an address sets the default threshold; a row with one (a standard code or an
    address that resolves) overrides it there, e.g. for a business incubator.
    """

    required = ("threshold",)
    optional = ("address", "reason")
    label = "集中登记阈值 / address concentration thresholds"
    identity_columns = ("key",)
    DEFAULT = "*"

    def row_parser(self) -> RowParser:
        resolve = _standard_resolver(required=False, what="addresses")

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
            label = "default threshold" if code == self.DEFAULT else "address"
            return ParsedRow(key=code, ref=code, data=data, unique=((label, code),))

        return parse
