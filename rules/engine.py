"""The rule engine: a registry of library kinds evaluated against a plain, frozen Subject.

The engine is pure Python and knows nothing about any particular library: a kind is a class
registered with ``@register("names")`` that turns a Subject into hits. The engine stamps each hit
with the library code and the list versions the kind used, and combines outcomes. The same
engine serves the pipeline, the dry-run CLI and the console; data owned by another department
(the citizen registry) reaches a kind only through an injected port, never through an import of
the platform's exchange layer.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Literal, Protocol, TypeVar

Outcome = Literal["pass", "review", "reject"]
Decision = Literal["approve", "review", "reject"]

_SEVERITY: dict[str, int] = {"pass": 0, "approve": 0, "review": 1, "reject": 2}

ROLE_LEGAL_REPRESENTATIVE = "legal_representative"
ROLE_HANDLER = "handler"
ROLE_SHAREHOLDER = "shareholder"


# --- Facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFacts:
    role: str  # "legal_representative" | "handler" | "shareholder"
    name: str
    id_number: str
    phone: str = ""

    def __repr__(self) -> str:
        # Subjects end up in tracebacks and task logs; never print the raw ID or phone there.
        from rules.privacy import mask_id_number, mask_phone

        return (
            f"PersonFacts(role={self.role!r}, name={self.name!r}, "
            f"id_number={mask_id_number(self.id_number)!r}, phone={mask_phone(self.phone)!r})"
        )


@dataclass(frozen=True)
class Subject:
    """The facts of one application that the rule libraries look at."""

    company_name: str
    address: str
    business_scope: str = ""
    registered_capital: Decimal | None = None
    employees: int | None = None
    persons: tuple[PersonFacts, ...] = ()

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Subject:
        """Build a Subject from the application document (CONTRACT §4).

        The handler defaults to the legal representative, as the contract says.
        """
        company = doc.get("company") or {}
        legal = doc.get("legal_representative") or {}
        handler = doc.get("handler") or legal
        persons: list[PersonFacts] = []
        if legal:
            persons.append(_person(ROLE_LEGAL_REPRESENTATIVE, legal))
        if handler:
            persons.append(_person(ROLE_HANDLER, handler))
        for shareholder in doc.get("shareholders") or ():
            persons.append(_person(ROLE_SHAREHOLDER, shareholder))
        return cls(
            company_name=str(company.get("name") or ""),
            address=str(company.get("address") or ""),
            business_scope=str(company.get("business_scope") or ""),
            registered_capital=_decimal_or_none(company.get("registered_capital")),
            employees=_int_or_none(company.get("employees")),
            persons=tuple(persons),
        )

    def persons_in_role(self, role: str) -> tuple[PersonFacts, ...]:
        return tuple(p for p in self.persons if p.role == role)


def _person(role: str, data: Mapping[str, Any]) -> PersonFacts:
    return PersonFacts(
        role=role,
        name=str(data.get("name") or ""),
        id_number=str(data.get("id_number") or ""),
        phone=str(data.get("phone") or ""),
    )


def _decimal_or_none(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("registered_capital is not a decimal number") from exc


def _int_or_none(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError as exc:
        raise ValueError("employees is not an integer") from exc


# --- Results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    library: str
    versions: dict[str, int]
    rule: str
    outcome: Outcome
    message: str  # Simplified Chinese
    message_en: str
    evidence: dict[str, Any]  # spans index the ORIGINAL input string

    def to_dict(self) -> dict[str, Any]:
        return {
            "library": self.library,
            "versions": dict(self.versions),
            "rule": self.rule,
            "outcome": self.outcome,
            "message": self.message,
            "message_en": self.message_en,
            "evidence": dict(self.evidence),
        }


@dataclass(frozen=True)
class CheckResult:
    library: str
    outcome: Outcome
    findings: tuple[Finding, ...]
    versions: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "library": self.library,
            "outcome": self.outcome,
            "versions": dict(self.versions),
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class Hit:
    """What a kind reports; the engine turns it into a Finding stamped with library and versions."""

    rule: str
    outcome: Outcome
    message: str
    message_en: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    """A kind's answer: its hits and exactly which list versions produced them.

    A list kind with no published version is recorded as version 0, so the record shows that the
    check ran without that list instead of hiding it.
    """

    hits: tuple[Hit, ...]
    versions: dict[str, int]


# --- Ports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitizenVerification:
    found: bool
    name_matches: bool
    status: str | None  # "valid" | "revoked" | "deceased"


class CitizenLookup(Protocol):
    def verify(self, *, id_number: str, name: str) -> CitizenVerification: ...


class LookupUnavailable(Exception):
    """The port could not reach the registry. The check must be retried, never passed."""


@dataclass(frozen=True)
class Ports:
    citizens: CitizenLookup | None = None


# --- Registry ---------------------------------------------------------------------------------


class LibraryKind(ABC):
    """Base class of a rule library kind. One instance lives per process, so it may cache."""

    code: ClassVar[str] = ""

    @abstractmethod
    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation: ...


K = TypeVar("K", bound=type[LibraryKind])

_registry: dict[str, type[LibraryKind]] = {}
_instances: dict[str, LibraryKind] = {}
_instances_lock = threading.Lock()


def register(code: str) -> Callable[[K], K]:
    """Class decorator that adds a library kind to the registry under ``code``."""

    def decorator(cls: K) -> K:
        existing = _registry.get(code)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise ValueError(f"library {code!r} is already registered by {existing.__qualname__}")
        cls.code = code
        _registry[code] = cls
        _instances.pop(code, None)
        return cls

    return decorator


def library_codes() -> list[str]:
    """Registered library codes, in registration order."""
    return list(_registry)


def _instance(code: str) -> LibraryKind:
    try:
        cls = _registry[code]
    except KeyError:
        raise ValueError(f"unknown rule library {code!r}; known: {', '.join(_registry)}") from None
    instance = _instances.get(code)
    if instance is None:
        with _instances_lock:
            instance = _instances.get(code)
            if instance is None:
                instance = _instances[code] = cls()
    return instance


def worst_outcome(outcomes: Iterable[str]) -> Outcome:
    """The most severe of pass/review/reject; no outcomes at all is a pass."""
    worst: Outcome = "pass"
    for outcome in outcomes:
        if outcome not in _SEVERITY:
            raise ValueError(f"unknown outcome {outcome!r}")
        if _SEVERITY[outcome] > _SEVERITY[worst]:
            worst = "reject" if outcome == "reject" else "review"
    return worst


def combine_outcomes(outcomes: Iterable[str]) -> Decision:
    """Overall decision: reject if any check rejects, else review if any asks for it, else approve."""
    worst = worst_outcome(outcomes)
    return "approve" if worst == "pass" else worst


def check_library(code: str, subject: Subject, *, ports: Ports) -> CheckResult:
    """Run one library on a subject. Exceptions (e.g. LookupUnavailable) propagate: retry them."""
    evaluation = _instance(code).evaluate(subject, ports=ports)
    versions = dict(evaluation.versions)
    findings = tuple(
        Finding(
            library=code,
            versions=dict(versions),
            rule=hit.rule,
            outcome=hit.outcome,
            message=hit.message,
            message_en=hit.message_en,
            evidence=dict(hit.evidence),
        )
        for hit in evaluation.hits
    )
    return CheckResult(
        library=code,
        outcome=worst_outcome(f.outcome for f in findings),
        findings=findings,
        versions=versions,
    )


def check_all(subject: Subject, *, ports: Ports) -> tuple[Decision, list[CheckResult]]:
    """Run every registered library, in registration order, and combine the outcomes."""
    results = [check_library(code, subject, ports=ports) for code in library_codes()]
    return combine_outcomes(r.outcome for r in results), results
