import hashlib
import json
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from accounts.models import ApiClient
from applications.models import Application, Person, PersonRole
from applications.transitions import transition_batch
from audit.services import audit_record
from config.bulk import rows_insert
from identity.services import presence_begin
from privacy.crypto import keyed_digest


class IdempotencyConflict(Exception):
    """The same Idempotency-Key was sent with a different body."""


@dataclass(frozen=True)
class SubmitResult:
    application: Application
    created: bool


def document_fingerprint(document: dict) -> str:
    # Keyed: the document holds ID numbers, and a plain hash of it can be reversed by trying the
    # few million likely numbers. The keyed hash of the plain one lets old rows be converted.
    return keyed_digest(hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest())


def application_submit(
    *,
    document: dict,
    applicant: AbstractBaseUser | None = None,
    api_client: ApiClient | None = None,
    idempotency_key: str | None = None,
    corrects: Application | None = None,
    presence_attested_by: ApiClient | None = None,
) -> SubmitResult:
    """Stores a validated application document and opens its proof of presence, in one transaction.

    Every natural person in a signing role must then verify (identity.services) before the
    checks start. An API client marked `attests_presence` skips that: its applications start the
    checks at once. `presence_attested_by` names such a client explicitly, for callers that are
    not that client's API request (a service-hall back office, the tests' fixtures).

    With an idempotency key, a repeat returns the first application and creates nothing.
    `corrects` links a corrected resubmission to the returned or rejected application it replaces.
    """
    if presence_attested_by is None and api_client is not None and api_client.attests_presence:
        presence_attested_by = api_client
    fingerprint = document_fingerprint(document)
    # A client's key is unique per client, and the application's row is the transaction's first
    # insert: a repeat is refused there before any other work, so a first submission (nearly
    # every one) runs no lookup. Without a client the constraint does not apply: look first.
    if idempotency_key and api_client is None:
        existing = _application_for_key(api_client=api_client, idempotency_key=idempotency_key, fingerprint=fingerprint)
        if existing:
            return SubmitResult(application=existing, created=False)
    try:
        with transaction.atomic(), transition_batch():
            application = _application_create(
                document=document,
                applicant=applicant,
                api_client=api_client,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                corrects=corrects,
                presence_attested_by=presence_attested_by,
            )
    except IntegrityError:
        # A repeat of the key, or two concurrent requests with it: the first application stands.
        existing = idempotency_key and _application_for_key(
            api_client=api_client, idempotency_key=idempotency_key, fingerprint=fingerprint
        )
        if not existing:
            raise
        return SubmitResult(application=existing, created=False)
    return SubmitResult(application=application, created=True)


def _application_for_key(*, api_client: ApiClient | None, idempotency_key: str, fingerprint: str) -> Application | None:
    existing = Application.objects.filter(api_client=api_client, idempotency_key=idempotency_key).first()
    if existing and existing.request_fingerprint != fingerprint:
        raise IdempotencyConflict("This Idempotency-Key was already used with a different request body.")
    return existing


def _application_create(
    *,
    document: dict,
    applicant: AbstractBaseUser | None,
    api_client: ApiClient | None,
    idempotency_key: str | None,
    fingerprint: str,
    corrects: Application | None = None,
    presence_attested_by: ApiClient | None = None,
) -> Application:
    company = document["company"]
    application = Application(
        company_name=company["name"],
        address=company["address"],
        business_scope=company["business_scope"],
        registered_capital=company["registered_capital"],
        employees=company.get("employees") or 0,
        name_reservation=company.get("name_reservation") or "",
        applicant=applicant,
        api_client=api_client,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        corrects=corrects,
    )
    rows_insert([application])
    legal = document["legal_representative"]
    persons = [Person(application=application, role=PersonRole.LEGAL_REPRESENTATIVE, **legal)]
    if document.get("handler"):
        persons.append(Person(application=application, role=PersonRole.HANDLER, **document["handler"]))
    persons.extend(
        Person(application=application, role=PersonRole.SHAREHOLDER, position=index, **shareholder)
        for index, shareholder in enumerate(document.get("shareholders", []))
    )
    rows_insert(persons)
    actor = f"client:{api_client.name}" if api_client else f"user:{applicant.get_username()}" if applicant else "system"
    audit_record(
        action="application.submitted",
        actor=actor,
        application_id=application.id,
        departments=document["departments"],
    )
    profile = getattr(applicant, "applicant_profile", None) if applicant is not None else None
    presence_begin(
        application=application,
        departments=document["departments"],
        attested_by=presence_attested_by,
        agent=applicant if applicant is not None and hasattr(applicant, "agent_account") else None,
        # The applicant filling in the form verifies in the same flow: no SMS link for them.
        filer_id_number=profile.id_number if profile else "",
        actor=actor,
    )
    return application
