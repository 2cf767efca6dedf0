"""Reads of the application aggregate that the pipeline and the entry points share."""

from collections.abc import Callable
from decimal import Decimal

from applications.models import Application, Person, PersonRole
from rules import engine


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _person_document(person: Person) -> dict:
    document = {"name": person.name, "id_number": person.id_number}
    if person.role != PersonRole.SHAREHOLDER:
        document["phone"] = person.phone
    else:
        document["contribution"] = _money(person.contribution)
    return document


# Apps above the aggregate add their sections to the document (the identity app: `presence`),
# registered in AppConfig.ready, so that this layer imports nothing above it. Sharing policies
# are allowlists, so no department receives a section it is not granted.
DocumentExtension = Callable[[Application], dict]
_document_extensions: list[DocumentExtension] = []


def document_extend(extension: DocumentExtension) -> None:
    if extension not in _document_extensions:
        _document_extensions.append(extension)


def application_document(*, application: Application) -> dict:
    """The application as the CONTRACT §4 document, plus its id and issued credit code."""
    persons = list(application.persons.all())
    by_role = {role: [p for p in persons if p.role == role] for role in PersonRole.values}
    legal = by_role[PersonRole.LEGAL_REPRESENTATIVE][0]
    handler = (by_role[PersonRole.HANDLER] or [legal])[0]
    document = {
        "application_id": str(application.id),
        "credit_code": application.credit_code,
        "company": {
            "name": application.company_name,
            "address": application.address,
            "business_scope": application.business_scope,
            "registered_capital": _money(application.registered_capital),
            "employees": application.employees,
            **({"name_reservation": application.name_reservation} if application.name_reservation else {}),
        },
        "legal_representative": _person_document(legal),
        "handler": _person_document(handler),
        "shareholders": [_person_document(p) for p in by_role[PersonRole.SHAREHOLDER]],
        "departments": list(application.work_items.values_list("department", flat=True)),
    }
    for extension in _document_extensions:
        document.update(extension(application))
    return document


def recent_subjects(limit: int) -> list[tuple[str, engine.Subject, str | None]]:
    """The last decided applications as rule subjects, for a draft library's impact preview."""
    applications = (
        Application.objects.filter(auto_outcome__isnull=False, personal_data_erased_at__isnull=True)
        .prefetch_related("persons", "work_items")
        .order_by("-decided_at")[:limit]
    )
    return [
        (
            application.reference,
            engine.Subject.from_document(application_document(application=application)),
            application.auto_outcome,
        )
        for application in applications
    ]
