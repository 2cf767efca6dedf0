"""The list kinds an administrator can import, their CSV columns, and how a row is checked.

Each kind is a small class registered with ``@list_kind``. Its ``row_parser()`` returns a
function that turns one CSV row (a dict of stripped strings) into the entry to store, or raises
:class:`RowError` with a reason. The import service (rules.services.list_import) owns files,
line numbers, transactions and versions; a kind only knows its own columns.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from rules import selectors
from rules.addressing import address_key, resolve_address
from rules.identifiers import IdentifierInvalid, validate_credit_code, validate_id_number
from rules.normalize import normalize_text

NAME_WORDS = "name_words"
ENTERPRISES = "enterprises"
STANDARD_ADDRESSES = "standard_addresses"
ADDRESS_BLACKLIST = "address_blacklist"
DISHONEST_PERSONS = "dishonest_persons"

# Entry keys are stored in an indexed column of this width.
KEY_MAX_LENGTH = 255


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


RowParser = Callable[[dict[str, str]], ParsedRow]


class ListKind(ABC):
    code: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return cls.required + cls.optional

    @abstractmethod
    def row_parser(self) -> RowParser:
        """Prepare for one import (may read other lists once) and return the row parser."""


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


def _key(value: str, what: str) -> str:
    if not value:
        raise RowError(f"{what} is empty after normalization")
    if len(value) > KEY_MAX_LENGTH:
        raise RowError(f"{what} is longer than {KEY_MAX_LENGTH} characters")
    return value


@list_kind(NAME_WORDS)
class NameWords(ListKind):
    required = ("word", "level", "reason")
    levels: ClassVar[tuple[str, ...]] = ("prohibited", "restricted")

    def row_parser(self) -> RowParser:
        def parse(row: dict[str, str]) -> ParsedRow:
            level = row["level"].lower()
            if level not in self.levels:
                raise RowError(f"level must be one of {', '.join(self.levels)}, not {row['level']!r}")
            key = _key(normalize_text(row["word"]), "word")
            data = {"word": row["word"], "level": level, "reason": row["reason"]}
            return ParsedRow(key=key, ref="", data=data, unique=(("word", key),))

        return parse


@list_kind(ENTERPRISES)
class Enterprises(ListKind):
    required = ("name", "credit_code")

    def row_parser(self) -> RowParser:
        def parse(row: dict[str, str]) -> ParsedRow:
            try:
                code = validate_credit_code(row["credit_code"])
            except IdentifierInvalid as exc:
                raise RowError(exc.reason_en) from None
            key = _key(normalize_text(row["name"]), "name")
            data = {"name": row["name"], "credit_code": code}
            # Two companies may share a name in the national register (different regions), but a
            # credit code identifies exactly one.
            return ParsedRow(key=key, ref=code, data=data, unique=(("credit_code", code),))

        return parse


@list_kind(STANDARD_ADDRESSES)
class StandardAddresses(ListKind):
    required = ("code", "full_address")
    optional = ("district", "street", "road", "number", "building")

    def row_parser(self) -> RowParser:
        def parse(row: dict[str, str]) -> ParsedRow:
            code = row["code"]
            if len(code) > KEY_MAX_LENGTH:
                raise RowError(f"code is longer than {KEY_MAX_LENGTH} characters")
            key = _key(address_key(row["full_address"]), "full_address")
            data = {"code": code, "full_address": row["full_address"]}
            data.update({column: row[column] for column in self.optional if row.get(column)})
            # Two codes for the same canonical address would make resolution ambiguous.
            return ParsedRow(key=key, ref=code, data=data, unique=(("code", code), ("address", key)))

        return parse


@list_kind(ADDRESS_BLACKLIST)
class AddressBlacklist(ListKind):
    required = ("address", "reason")

    def row_parser(self) -> RowParser:
        standard = selectors.published_version(kind=STANDARD_ADDRESSES)
        if standard is None:
            raise KindNotReady("no published standard_addresses version to resolve the addresses against")

        def lookup(keys: list[str]) -> dict[str, Any]:
            return selectors.standard_addresses_by_keys(version_id=standard.id, keys=keys)

        def parse(row: dict[str, str]) -> ParsedRow:
            given = row["address"]
            # A standard code is taken as is; anything else must resolve like an applicant's text.
            entry = selectors.entry_by_ref(version_id=standard.id, ref=given)
            if entry is not None:
                code, full_address = entry.ref, str(entry.data.get("full_address", ""))
            else:
                resolved = resolve_address(given, lookup=lookup)
                if resolved is None:
                    raise RowError(f"address {given!r} is neither a standard code nor resolves to a standard address")
                code, full_address = resolved.code, resolved.full_address
            data = {
                "address": given,
                "code": code,
                "full_address": full_address,
                "reason": row["reason"],
                "standard_version": standard.number,
            }
            return ParsedRow(key=code, ref=code, data=data, unique=(("address", code),))

        return parse


@list_kind(DISHONEST_PERSONS)
class DishonestPersons(ListKind):
    required = ("name", "id_number", "court", "case_number")
    optional = ("published_on",)

    def row_parser(self) -> RowParser:
        def parse(row: dict[str, str]) -> ParsedRow:
            try:
                id_number = validate_id_number(row["id_number"])
            except IdentifierInvalid as exc:
                raise RowError(exc.reason_en) from None  # already masked
            published_on = row.get("published_on", "")
            if published_on:
                try:
                    published_on = datetime.date.fromisoformat(published_on).isoformat()
                except ValueError:
                    raise RowError(f"published_on {published_on!r} is not a date like 2024-05-31") from None
            data = {
                "name": row["name"],
                "id_number": id_number,
                "court": row["court"],
                "case_number": row["case_number"],
                "published_on": published_on,
            }
            # One person may have several cases; the same case twice is a mistake.
            unique = (("id_number and case_number", f"{id_number}|{row['case_number']}"),)
            return ParsedRow(key=id_number, ref=row["case_number"][:KEY_MAX_LENGTH], data=data, unique=unique)

        return parse
