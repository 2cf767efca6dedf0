"""Golden cases: inputs an administrator attaches to a list, with the outcome they must give."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rules import engine
from rules.engine import PersonFacts, Ports, Subject
from rules.jurisdictions import NATIONAL, scope_contains, scope_validate
from rules.lists import list_kind_get
from rules.models import GoldenCase
from rules.privacy import blind_index, mask_id_number


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


def golden_subject(document: dict[str, Any], *, scope: str = NATIONAL) -> Subject:
    """A Subject from a sealed golden-case document (persons carry only the blind index).

    A case guarding a local layer is checked in that jurisdiction: where its own address or
    name places it inside ``scope``, there; otherwise at ``scope`` itself.
    """
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
    authority = ""
    if scope != NATIONAL:
        from rules.authority import authority_of

        derived, _source = authority_of(address=base.address, name=base.company_name)
        authority = derived if derived and scope_contains(scope, derived) else scope
    return Subject(
        company_name=base.company_name,
        address=base.address,
        business_scope=base.business_scope,
        registered_capital=base.registered_capital,
        employees=base.employees,
        persons=persons,
        authority=authority,
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
    scope: str = NATIONAL,
) -> GoldenCase:
    """Attach a test case to a list's ``scope`` layer. ``library`` defaults to the library that
    reads ``kind``."""
    list_kind_get(kind)  # raises KeyError for an unknown kind
    scope = scope_validate(scope)
    users = engine.libraries_using(kind)
    library = library or (users[0] if users else "")
    if library not in users:
        raise ValueError(f"library {library!r} does not read the list {kind!r} (readers: {', '.join(users)})")
    if expected_outcome not in ("pass", "review", "reject"):
        raise ValueError("expected_outcome must be pass, review or reject")
    return GoldenCase.objects.create(
        kind=kind,
        scope=scope,
        library=library,
        title=title[:200],
        document=golden_document_seal(document),
        expected_outcome=expected_outcome,
        expected_rule=expected_rule,
        created_by=created_by[:150],
    )


def golden_cases_run(*, kind: str, version_id: int | None = None) -> list[GoldenResult]:
    """Run the golden cases of every library that reads ``kind``, with version ``version_id`` of
    ``kind`` in place of the one published in its scope (None: as published). Each case runs in
    its own jurisdiction, so a draft of one layer changes only the cases that layer reaches."""
    libraries = engine.libraries_using(kind)
    overrides = {kind: version_id} if version_id is not None else {}
    results = []
    for case in GoldenCase.objects.filter(library__in=libraries).order_by("id"):
        try:
            result = engine.check_library(
                case.library, golden_subject(case.document, scope=case.scope), ports=Ports(), overrides=overrides
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
