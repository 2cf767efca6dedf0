"""Reads of the proof of presence: a verification by its token, and what each party may see."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from applications.models import Application, Person, PersonRole
from identity.models import FaceOutcome, PresenceStage, Verification, VerificationStatus
from identity.tokens import token_digest, verification_path
from rules.privacy import mask_id_number, mask_phone
from webhooks.events import mask_name

ROLE_LABELS = {
    PersonRole.LEGAL_REPRESENTATIVE: ("法定代表人", "legal representative"),
    PersonRole.HANDLER: ("经办人", "handler"),
    PersonRole.SHAREHOLDER: ("股东", "shareholder"),
}


def verification_by_token(*, token: str) -> Verification | None:
    # The shape is checked first, so that garbage never reaches the index.
    if not (20 <= len(token) <= 64) or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return Verification.objects.select_related("application", "person").filter(token_hash=token_digest(token)).first()


def verifications_for_application(*, application: Application) -> list[Verification]:
    return list(application.verifications.select_related("person").order_by("created_at", "position"))


def verification_summary(verification: Verification) -> dict:
    """One entry of the application's `verifications` (CONTRACT §7): masked, with the link."""
    return {
        "id": str(verification.id),
        "role": verification.role,
        "position": verification.position,
        "roles": [slot["role"] for slot in verification.roles],
        "name": mask_name(verification.person.name),
        "status": verification.status,
        "failed_proof": verification.failed_proof or None,
        "link": verification_path(verification.id),
        "verified_at": verification.verified_at,
    }


def _money(value: object) -> str | None:
    return None if value is None else f"{value:.2f}"


def _consent_roles(verification: Verification) -> list[dict]:
    positions = {(slot["role"], slot["position"]) for slot in verification.roles}
    persons = Person.objects.filter(application_id=verification.application_id).order_by("role", "position")
    roles = []
    for person in persons:
        if (person.role, person.position) in positions:
            zh, en = ROLE_LABELS.get(person.role, (person.role, person.role))
            roles.append(
                {
                    "role": person.role,
                    "label": zh,
                    "label_en": en,
                    "position": person.position,
                    "contribution": _money(person.contribution) if person.role == PersonRole.SHAREHOLDER else None,
                }
            )
    return roles


def _attempts_left(limit: int, used: int) -> int:
    return max(0, limit - used)


def verification_state(verification: Verification, *, now: datetime | None = None) -> dict:
    """What the person's own page shows: what they consent to, and the steps done.

    Their name, ID number and phone are masked: the link is a credential that may be forwarded.
    """
    now = now or timezone.now()
    application = verification.application
    stage = PresenceStage.objects.filter(application=application).select_related("agent__agent_account").first()
    code_live = bool(verification.code_hash and verification.code_expires_at and verification.code_expires_at > now)
    face_done = verification.face_outcome in (FaceOutcome.MATCH, FaceOutcome.REVIEW)
    if verification.status != VerificationStatus.PENDING or application.status != "awaiting_verification":
        next_step = "done" if verification.status == VerificationStatus.VERIFIED else "closed"
    elif not verification.code_verified_at:
        next_step = "enter_code" if code_live else "send_code"
    elif not face_done:
        next_step = "face"
    else:
        next_step = "consent"
    agent = getattr(stage.agent, "agent_account", None) if stage and stage.agent_id else None
    return {
        "id": str(verification.id),
        "status": verification.status,
        "next_step": next_step,
        "failed_proof": verification.failed_proof or None,
        "person": {
            "name": mask_name(verification.person.name),
            "id_number": mask_id_number(verification.person.id_number),
            "phone": mask_phone(verification.phone),
            "phone_known": bool(verification.phone),
        },
        "application": {
            "reference": application.reference,
            "status": application.status,
            "deadline": stage.deadline if stage else None,
            "filed_by_agent": agent.organisation if agent else None,
            "company": {
                "name": application.company_name,
                "address": application.address,
                "business_scope": application.business_scope,
                "registered_capital": _money(application.registered_capital),
            },
        },
        "roles": _consent_roles(verification),
        "steps": {
            "code": {
                "sent": bool(verification.code_sent_at),
                "confirmed": bool(verification.code_verified_at),
                "expires_at": verification.code_expires_at if code_live else None,
                "attempts_left": _attempts_left(settings.VERIFICATION_CODE_MAX_ATTEMPTS, verification.code_attempts)
                if code_live
                else None,
                "resend_after": _resend_after(verification, now=now),
            },
            "face": {
                "outcome": verification.face_outcome or None,
                "distance": verification.face_distance,
                "threshold": verification.face_threshold,
                "attempts_left": _attempts_left(settings.VERIFICATION_FACE_MAX_ATTEMPTS, verification.face_attempts),
            },
            "consent": bool(verification.consented_at),
        },
    }


def _resend_after(verification: Verification, *, now: datetime) -> int:
    if not verification.code_sent_at:
        return 0
    elapsed = (now - verification.code_sent_at).total_seconds()
    return max(0, int(settings.VERIFICATION_RESEND_SECONDS - elapsed))


def filer_verification(*, application: Application, id_number: str) -> Verification | None:
    """The verification of the person filing the form (they verify in the same flow)."""
    from rules.identifiers import canonical_id_number

    wanted = canonical_id_number(id_number)
    if not wanted:
        return None
    for verification in verifications_for_application(application=application):
        if canonical_id_number(verification.person.id_number) == wanted:
            return verification
    return None


def agent_principals(*, application: Application) -> list[dict]:
    """The people an agent filed for, masked, with their roles (status page, data page)."""
    return [
        {
            "name": mask_name(v.person.name),
            "roles": [ROLE_LABELS.get(slot["role"], (slot["role"],))[0] for slot in v.roles],
            "status": v.status,
        }
        for v in verifications_for_application(application=application)
        if not any(slot["role"] == PersonRole.HANDLER for slot in v.roles)
    ]
