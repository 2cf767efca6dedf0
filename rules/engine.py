"""The rule engine: a registry of library kinds evaluated against a plain, frozen Subject.

The engine is pure Python and knows nothing about any particular library: a kind is a class
registered with ``@register("names")`` that turns a Subject into hits. The engine stamps each hit
with the library code and the list versions the kind used, and combines outcomes. The same
engine serves the pipeline, the dry-run CLI and the console; data owned by another department
(the citizen registry) reaches a kind only through an injected port, never through an import of
the platform's exchange layer.
"""

from __future__ import annotations

import contextvars
import datetime
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Literal, Protocol, TypeVar

from rules.jurisdictions import NATIONAL, scope_chain
from rules.registry import Labels, Registry

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
    # A precomputed blind index of the ID number (rules.privacy.blind_index), for subjects built
    # from stored test cases that keep no plaintext ID number. Empty: computed from id_number.
    id_index: str = ""

    def __repr__(self) -> str:
        # Subjects end up in tracebacks and task logs; never print the raw ID or phone there.
        from rules.privacy import mask_id_number, mask_phone

        return (
            f"PersonFacts(role={self.role!r}, name={self.name!r}, "
            f"id_number={mask_id_number(self.id_number)!r}, phone={mask_phone(self.phone)!r})"
        )


@dataclass(frozen=True)
class PresencePerson:
    """How far one natural person came in proving presence (the platform's identity app)."""

    roles: tuple[str, ...]
    name: str
    status: str  # "verified" | "failed" | "pending" | "expired"
    failed_proof: str = ""  # "carrier" | "code" | "face" when status is "failed"
    face: str = ""  # "match" | "review"
    face_distance: float | None = None
    face_threshold: float | None = None


@dataclass(frozen=True)
class PresenceFacts:
    """The proof of presence of an application: attested by a trusted channel, or per person."""

    attested_by: str = ""
    people: tuple[PresencePerson, ...] = ()

    @classmethod
    def from_document(cls, data: Mapping[str, Any]) -> PresenceFacts:
        return cls(
            attested_by=str(data.get("attested_by") or ""),
            people=tuple(
                PresencePerson(
                    roles=tuple(person.get("roles") or ()),
                    name=str(person.get("name") or ""),
                    status=str(person.get("status") or ""),
                    failed_proof=str(person.get("failed_proof") or ""),
                    face=str(person.get("face") or ""),
                    face_distance=person.get("face_distance"),
                    face_threshold=person.get("face_threshold"),
                )
                for person in data.get("people") or ()
            ),
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
    # The registration authority (a region code, rules.jurisdictions) when the caller knows it;
    # empty: the engine derives it from the resolved address, falling back to the name's region.
    authority: str = ""
    # The reference of the applicant's own name reservation (名称自主申报), if they cite one.
    reservation: str = ""
    # Proof of presence, when the platform required it. None: not part of this evaluation (the
    # dry run of CONTRACT §3, a stored test case, an application from before the requirement).
    presence: PresenceFacts | None = None

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
            reservation=str(company.get("name_reservation") or ""),
            presence=PresenceFacts.from_document(doc["presence"]) if doc.get("presence") else None,
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
class EntryRef:
    """The list entry a hit came from: which list, which version, which line, and the entry's
    stable identity across versions (a word, an address code, a case number)."""

    list: str
    version: int
    line: int
    id: str
    # The jurisdiction whose layer of the list holds the entry.
    scope: str = NATIONAL

    def to_dict(self) -> dict[str, Any]:
        return {"list": self.list, "version": self.version, "line": self.line, "id": self.id, "scope": self.scope}


@dataclass(frozen=True)
class Finding:
    library: str
    versions: dict[str, int]
    rule: str
    outcome: Outcome
    message: str  # Simplified Chinese
    message_en: str
    evidence: dict[str, Any]  # spans index the ORIGINAL input string
    entry: EntryRef | None = None  # None for a rule that no list entry triggered

    def to_dict(self) -> dict[str, Any]:
        return {
            "library": self.library,
            "versions": dict(self.versions),
            "rule": self.rule,
            "outcome": self.outcome,
            "message": self.message,
            "message_en": self.message_en,
            "evidence": dict(self.evidence),
            "entry": self.entry.to_dict() if self.entry is not None else None,
        }


@dataclass(frozen=True)
class Jurisdiction:
    """Where an application is checked: its registration authority, how that was found
    ("given", "address", "name" or "" when unknown), and the scopes whose layers apply,
    national first."""

    authority: str = ""
    source: str = ""
    scopes: tuple[str, ...] = (NATIONAL,)

    def to_dict(self) -> dict[str, Any]:
        return {"authority": self.authority, "source": self.source, "scopes": list(self.scopes)}


NATIONAL_ONLY = Jurisdiction()


@dataclass(frozen=True)
class CheckResult:
    library: str
    outcome: Outcome
    findings: tuple[Finding, ...]
    # List kind -> version number of its national layer (0: none published), and
    # "kind@scope" -> version number of each local layer that applied.
    versions: dict[str, int]
    jurisdiction: Jurisdiction = NATIONAL_ONLY

    def to_dict(self) -> dict[str, Any]:
        return {
            "library": self.library,
            "outcome": self.outcome,
            "versions": dict(self.versions),
            "jurisdiction": self.jurisdiction.to_dict(),
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
    entry: EntryRef | None = None


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


# --- Evaluation context -----------------------------------------------------------------------


class JurisdictionCell:
    """A jurisdiction computed at most once, on first use."""

    def __init__(self, resolve: Callable[[], Jurisdiction]) -> None:
        self._resolve = resolve
        self._value: Jurisdiction | None = None

    def get(self) -> Jurisdiction:
        if self._value is None:
            self._value = self._resolve()
        return self._value

    @property
    def known(self) -> Jurisdiction | None:
        return self._value


@dataclass(frozen=True)
class EvaluationContext:
    """What a check is evaluated against, set by the engine for the duration of one check.

    ``as_of`` replays a check with the list versions (and live registrations) in effect at that
    moment; ``overrides`` substitutes specific list versions (list kind -> version id), which is
    how golden cases and the impact preview try a draft before it is published.
    """

    as_of: datetime.datetime | None = None
    overrides: Mapping[str, int] = field(default_factory=dict)
    # Where the subject is checked, found only when first asked: placing an address costs a
    # resolution, which a check that meets no local layer and no name conflict never needs.
    placement: JurisdictionCell | None = None

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self.placement.get() if self.placement is not None else NATIONAL_ONLY

    @property
    def scopes(self) -> tuple[str, ...]:
        return self.jurisdiction.scopes

    def moment(self) -> datetime.datetime:
        return self.as_of if self.as_of is not None else datetime.datetime.now(datetime.UTC)


_DEFAULT_CONTEXT = EvaluationContext()
_context: contextvars.ContextVar[EvaluationContext | None] = contextvars.ContextVar(
    "rules_evaluation_context", default=None
)


def evaluation_context() -> EvaluationContext:
    return _context.get() or _DEFAULT_CONTEXT


@contextmanager
def evaluating(
    *,
    as_of: datetime.datetime | None = None,
    overrides: Mapping[str, int] | None = None,
    jurisdiction: Jurisdiction | JurisdictionCell = NATIONAL_ONLY,
) -> Iterator[None]:
    cell = jurisdiction if isinstance(jurisdiction, JurisdictionCell) else JurisdictionCell(lambda: jurisdiction)
    token = _context.set(EvaluationContext(as_of=as_of, overrides=dict(overrides or {}), placement=cell))
    try:
        yield
    finally:
        _context.reset(token)


# --- Registry ---------------------------------------------------------------------------------


class LibraryKind(ABC):
    """Base class of a rule library kind. One instance lives per process, so it may cache."""

    code: ClassVar[str] = ""
    verbose_name: ClassVar[Any] = ""  # the library's name as people read it (may be a lazy string)
    # The list kinds whose versions this library reads (for golden cases and impact previews).
    list_kinds: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation: ...

    def is_active(self) -> bool:
        """Whether check_all runs this library (in the current evaluation context).

        A library that only means something once its table is published (e.g. a decision
        table) returns False until then, so it adds no empty check to every application.
        """
        return True


K = TypeVar("K", bound=type[LibraryKind])

libraries: Registry[type[LibraryKind]] = Registry("rule library")
# {code: human name} of every library, live: the one place the platform reads their labels.
LIBRARY_LABELS = Labels(libraries)
_instances: dict[str, LibraryKind] = {}
_instances_lock = threading.Lock()


def register(code: str, *, verbose_name: Any = None) -> Callable[[K], K]:
    """Class decorator that adds a library kind to the registry under ``code``."""
    add = libraries.register(code, verbose_name=verbose_name)

    def decorator(cls: K) -> K:
        add(cls)
        _instances.pop(code, None)
        return cls

    return decorator


def library_codes(*, include_inactive: bool = False, as_of: datetime.datetime | None = None) -> list[str]:
    """The codes of the active libraries (or of all registered ones), in registration order."""
    if include_inactive:
        return libraries.codes()
    with evaluating(as_of=as_of):
        return [code for code in libraries.codes() if _instance(code).is_active()]


def library_choices() -> list[tuple[str, Any]]:
    """(code, human name) of every registered library: the one place their labels live."""
    return libraries.get_choices()


def library_lists(code: str) -> tuple[str, ...]:
    """The list kinds library ``code`` reads."""
    return libraries[code].list_kinds


def libraries_using(list_kind: str) -> list[str]:
    """The registered libraries that read ``list_kind``."""
    return [code for code, cls in libraries.items() if list_kind in cls.list_kinds]


# Called with the findings of checks run with record_hits=True; installed by the rules app
# (rules.services.hits_record), so that this module stays free of Django.
HitRecorder = Callable[[list["Finding"]], None]
_hit_recorder: HitRecorder | None = None


def set_hit_recorder(recorder: HitRecorder | None) -> None:
    global _hit_recorder
    _hit_recorder = recorder


# Finds where a subject is checked (rules.authority.jurisdiction_of, installed by the rules app:
# it reads the standard address library). Without it, only a given authority places a subject.
JurisdictionResolver = Callable[[Subject, "datetime.datetime | None"], Jurisdiction]
_jurisdiction_resolver: JurisdictionResolver | None = None


def set_jurisdiction_resolver(resolver: JurisdictionResolver | None) -> None:
    global _jurisdiction_resolver
    _jurisdiction_resolver = resolver


def jurisdiction_of(subject: Subject, *, as_of: datetime.datetime | None = None) -> Jurisdiction:
    """The registration authority of ``subject`` and the scopes whose layers apply to it (this
    may query the standard address library)."""
    if _jurisdiction_resolver is not None:
        return _jurisdiction_resolver(subject, as_of)
    if subject.authority:
        return Jurisdiction(authority=subject.authority, source="given", scopes=scope_chain(subject.authority))
    return NATIONAL_ONLY


def _instance(code: str) -> LibraryKind:
    try:
        cls = libraries[code]
    except KeyError:
        raise ValueError(f"unknown rule library {code!r}; known: {', '.join(libraries.codes())}") from None
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


def check_library(
    code: str,
    subject: Subject,
    *,
    ports: Ports,
    record_hits: bool = False,
    as_of: datetime.datetime | None = None,
    overrides: Mapping[str, int] | None = None,
) -> CheckResult:
    """Run one library on a subject. Exceptions (e.g. LookupUnavailable) propagate: retry them.

    ``record_hits`` counts each finding (per rule and list entry, per day) for the
    administrators' hit statistics; dry runs leave it False and store nothing. ``as_of``
    evaluates with the list versions in effect at that moment. The subject is checked against
    the national layer of each list plus the layers of every scope containing its registration
    authority (rules.jurisdictions); ``versions`` names each layer used.
    """
    library = _instance(code)
    # Placed lazily: a library that reads no list (identity), or meets no local layer and no
    # name conflict, never pays for resolving the address.
    cell = JurisdictionCell(lambda: jurisdiction_of(subject, as_of=as_of))
    with evaluating(as_of=as_of, overrides=overrides, jurisdiction=cell):
        evaluation = library.evaluate(subject, ports=ports)
    jurisdiction = cell.known or _unplaced(subject)
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
            entry=hit.entry,
        )
        for hit in evaluation.hits
    )
    if record_hits and findings and _hit_recorder is not None:
        _hit_recorder(list(findings))
    return CheckResult(
        library=code,
        outcome=worst_outcome(f.outcome for f in findings),
        findings=findings,
        versions=versions,
        jurisdiction=jurisdiction,
    )


def _unplaced(subject: Subject) -> Jurisdiction:
    """The jurisdiction recorded for a check that never needed to place its subject: only the
    national layers applied (an authority the caller gave is still named)."""
    if subject.authority:
        return Jurisdiction(authority=subject.authority, source="given", scopes=(NATIONAL,))
    return NATIONAL_ONLY


def check_all(
    subject: Subject,
    *,
    ports: Ports,
    record_hits: bool = False,
    as_of: datetime.datetime | None = None,
    overrides: Mapping[str, int] | None = None,
) -> tuple[Decision, list[CheckResult]]:
    """Run every active library, in registration order, and combine the outcomes."""
    results = [
        check_library(code, subject, ports=ports, record_hits=record_hits, as_of=as_of, overrides=overrides)
        for code in library_codes(as_of=as_of)
    ]
    return combine_outcomes(r.outcome for r in results), results
