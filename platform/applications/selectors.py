"""Reads of the application aggregate that the pipeline and the entry points share."""

from collections.abc import Callable
from decimal import Decimal

from django.db import connection

from applications.models import Application, Person, PersonRole, WorkItem
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
    persons = _persons_of(application)
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
        "departments": _departments_of(application),
    }
    for extension in _document_extensions:
        document.update(extension(application))
    return document


# The pipeline builds the document twice per application (the checks, then market regulation's
# answer), so its reads are written out: `raw` still converts each column as its field does
# (decrypting the ID and phone numbers), without the ORM's compile on every call. The order is
# the models' own (persons by role and position, work items by position).
_PERSONS_SQL = (
    f"SELECT id, application_id, role, position, name, id_number, phone, contribution FROM {Person._meta.db_table}"
    " WHERE application_id = %s ORDER BY role, position"
)
_DEPARTMENTS_SQL = f"SELECT department FROM {WorkItem._meta.db_table} WHERE application_id = %s ORDER BY position, id"


def _prefetched(application: Application, relation: str) -> bool:
    # The impact preview prefetches both relations for a few hundred applications at once.
    return relation in getattr(application, "_prefetched_objects_cache", {})


def _persons_of(application: Application) -> list[Person]:
    if _prefetched(application, "persons"):
        return list(application.persons.all())
    return list(Person.objects.raw(_PERSONS_SQL, [_key(application)]))


def _departments_of(application: Application) -> list[str]:
    if _prefetched(application, "work_items"):
        return [item.department for item in application.work_items.all()]
    with connection.cursor() as cursor:
        cursor.execute(_DEPARTMENTS_SQL, [_key(application)])
        return [department for (department,) in cursor.fetchall()]


def _key(application: Application) -> object:
    return Application._meta.pk.get_db_prep_value(application.pk, connection)


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
