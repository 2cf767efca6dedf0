from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from accounts.models import ApiClient
from intake.models import Application, Person, PersonRole
from privacy.crypto import blind_index


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _person_document(person: Person) -> dict:
    document = {"name": person.name, "id_number": person.id_number}
    if person.role != PersonRole.SHAREHOLDER:
        document["phone"] = person.phone
    else:
        document["contribution"] = _money(person.contribution)
    return document


def application_document(*, application: Application) -> dict:
    """The application as the CONTRACT §4 document, plus its id and issued credit code."""
    persons = list(application.persons.all())
    by_role = {role: [p for p in persons if p.role == role] for role in PersonRole.values}
    legal = by_role[PersonRole.LEGAL_REPRESENTATIVE][0]
    handler = (by_role[PersonRole.HANDLER] or [legal])[0]
    return {
        "application_id": str(application.id),
        "credit_code": application.credit_code,
        "company": {
            "name": application.company_name,
            "address": application.address,
            "business_scope": application.business_scope,
            "registered_capital": _money(application.registered_capital),
            "employees": application.employees,
        },
        "legal_representative": _person_document(legal),
        "handler": _person_document(handler),
        "shareholders": [_person_document(p) for p in by_role[PersonRole.SHAREHOLDER]],
        "departments": list(application.work_items.values_list("department", flat=True)),
    }


def applications_for_client(*, client: ApiClient) -> QuerySet[Application]:
    return Application.objects.filter(api_client=client)


def applications_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Application]:
    if not user.is_authenticated:
        return Application.objects.none()
    return Application.objects.filter(applicant=user)


def application_with_progress(*, queryset: QuerySet[Application], application_id: object) -> Application | None:
    """One application with its checks and work items, or None when the caller may not see it."""
    return queryset.prefetch_related("checks", "work_items").filter(id=application_id).first()


def applications_of_person(*, id_number: str) -> QuerySet[Application]:
    """Every application naming this person in any role, found through the blind index: the
    stored ID numbers are encrypted and cannot be compared."""
    index = blind_index(id_number)
    if not index:
        return Application.objects.none()
    return Application.objects.filter(persons__id_number_index=index).distinct()
