"""The review desk: claim a case, decide it once, with a reason; every view is recorded."""

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from applications.models import Application, ApplicationStatus
from audit.services import audit_record
from review.models import ReviewCase, ReviewDecision
from workflow.services import review_decide


class ReviewRefused(Exception):
    """The desk refuses the action; the message says why, in Chinese and English."""


def _actor(reviewer: AbstractBaseUser) -> str:
    return f"user:{reviewer.get_username()}"


def _locked_case(application_id: uuid.UUID) -> tuple[Application, ReviewCase]:
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None or application.status != ApplicationStatus.MANUAL_REVIEW:
        raise ReviewRefused("该申请不在人工审批中 / this application is not waiting for review")
    case, _ = ReviewCase.objects.get_or_create(application=application)
    case = ReviewCase.objects.select_for_update().get(pk=case.pk)
    return application, case


def case_claim(*, application_id: uuid.UUID, reviewer: AbstractBaseUser) -> ReviewCase:
    with transaction.atomic():
        application, case = _locked_case(application_id)
        if case.claimed_by_id and case.claimed_by_id != reviewer.pk:
            raise ReviewRefused(f"已由 {case.claimed_by.get_username()} 认领 / already claimed by another reviewer")
        if case.claimed_by_id != reviewer.pk:
            case.claimed_by = reviewer
            case.claimed_at = timezone.now()
            case.save(update_fields=["claimed_by", "claimed_at"])
            audit_record(action="review.claimed", actor=_actor(reviewer), application_id=application.id)
        return case


def case_release(*, application_id: uuid.UUID, reviewer: AbstractBaseUser) -> None:
    with transaction.atomic():
        application, case = _locked_case(application_id)
        if case.claimed_by_id != reviewer.pk:
            raise ReviewRefused("您未认领此案件 / you have not claimed this case")
        case.claimed_by = None
        case.claimed_at = None
        case.save(update_fields=["claimed_by", "claimed_at"])
        audit_record(action="review.released", actor=_actor(reviewer), application_id=application.id)


def case_decide(*, application_id: uuid.UUID, reviewer: AbstractBaseUser, decision: str, reason: str) -> Application:
    """Decides a claimed case. Two reviewers (or two clicks) can never both decide it."""
    reason = reason.strip()
    if decision not in ReviewDecision.values:
        raise ReviewRefused("请选择通过、驳回或退回修改 / choose approve, reject or return")
    if not reason:
        raise ReviewRefused("请填写理由 / a reason is required")
    with transaction.atomic():
        application, case = _locked_case(application_id)
        if case.claimed_by_id != reviewer.pk:
            raise ReviewRefused("请先认领此案件 / claim the case before deciding it")
        if decision == ReviewDecision.APPROVE and application.personal_data_erased_at:
            # Retention erased the people behind it: nothing valid is left to send on.
            raise ReviewRefused(
                "申请人信息已按保存期限删除，无法通过 / personal data was erased; it cannot be approved"
            )
        case.decision = decision
        case.reason = reason
        case.decided_by = reviewer
        case.decided_at = timezone.now()
        case.save()
        return review_decide(application=application, decision=decision, reason=reason, actor=_actor(reviewer))


def case_viewed(*, application: Application, reviewer: AbstractBaseUser) -> None:
    """The case page shows unmasked personal data, so every view is on the record."""
    audit_record(action="review.viewed", actor=_actor(reviewer), application_id=application.id)
