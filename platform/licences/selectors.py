"""The licence of an application, and its standing with the issuing authority."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol
from urllib.parse import quote

import httpx
from django.conf import settings

from applications.models import Application, PersonRole, WorkItemStatus
from exchange.client import DepartmentAuth, department_client
from licences.tokens import AUTHORITY, AuthorityUnavailable


@dataclass(frozen=True)
class Licence:
    """What a printed licence shows (营业执照), and the token its QR code carries."""

    number: str
    token: str
    name: str
    credit_code: str
    entity_type: str
    registered_capital: Decimal
    legal_representative: str
    established_on: str
    address: str
    business_scope: str
    registration_authority: str

    @property
    def verify_url(self) -> str:
        return licence_verify_url(self.token)


def licence_verify_url(token: str) -> str:
    return f"{settings.LICENCE_VERIFY_BASE_URL.rstrip('/')}/verify/licence/{quote(token, safe='.-_')}"


class IssuingFacts(Protocol):
    """What the licence is read from: a work item, or a row a hand-written status read loaded."""

    @property
    def department(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def result(self) -> object: ...


def licence_reference(*, application: Application) -> dict | None:
    """The API's `licence` field: number and verify_url, or None before market regulation issued it.

    Reads the prefetched work items only, so listing applications costs no query per row.
    """
    return licence_reference_from_work_items(application.work_items.all())


def licence_reference_from_work_items(work_items: Iterable[IssuingFacts]) -> dict | None:
    """`licence_reference` from work items already loaded: the status documents read them as rows."""
    result = _issuing_result(work_items)
    if result is None:
        return None
    return {"number": result["license_number"], "verify_url": licence_verify_url(result["licence_token"])}


def _issuing_result(work_items: Iterable[IssuingFacts]) -> dict | None:
    for item in work_items:
        if (
            item.department == AUTHORITY
            and item.status == WorkItemStatus.DONE
            and isinstance(item.result, dict)
            and item.result.get("licence_token")
            and item.result.get("license_number")
        ):
            return item.result
    return None


def licence_number_of(*, application: Application) -> str | None:
    """The licence number market regulation issued for the application, or None (one query)."""
    result = (
        application.work_items.filter(department=AUTHORITY, status=WorkItemStatus.DONE)
        .values_list("result", flat=True)
        .first()
    )
    return (result or {}).get("license_number")


def licence_for_application(*, application: Application) -> Licence | None:
    result = _issuing_result(application.work_items.all())
    if result is None or not application.credit_code:
        return None
    legal = application.persons.filter(role=PersonRole.LEGAL_REPRESENTATIVE).order_by("position").first()
    return Licence(
        number=result["license_number"],
        token=result["licence_token"],
        name=application.company_name,
        credit_code=application.credit_code,
        entity_type=result.get("entity_type", ""),
        registered_capital=application.registered_capital,
        legal_representative=legal.name if legal else "",
        established_on=result.get("established_on", ""),
        address=application.address,
        business_scope=application.business_scope,
        registration_authority=result.get("registration_authority", ""),
    )


def licence_standing(*, number: str) -> dict | None:
    """The authority's answer for a licence number (status and printed fields); None if unknown."""
    try:
        response = department_client().get(
            f"{AUTHORITY}/licences/{quote(number, safe='')}/", auth=DepartmentAuth(AUTHORITY)
        )
    except httpx.HTTPError as error:
        raise AuthorityUnavailable(type(error).__name__) from error
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise AuthorityUnavailable(f"HTTP {response.status_code}")
    return response.json()
