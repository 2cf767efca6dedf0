"""Retention of personal data: what is erased, when, and what is kept for statistics.

Part of the aggregate: erasing is an operation on an application and its persons and checks.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from applications.models import Application, ApplicationStatus, Check, Person
from audit.services import audit_record

# Finished without a company: the personal data has no further use once the period is over.
FINISHED_WITHOUT_COMPANY = (ApplicationStatus.REJECTED, ApplicationStatus.RETURNED, ApplicationStatus.LAPSED)
# Still open, but nobody has touched them for the whole period: abandoned.
OPEN_BEFORE_DISPATCH = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.AWAITING_VERIFICATION,
    ApplicationStatus.CHECKING,
    ApplicationStatus.MANUAL_REVIEW,
)
ERASABLE_STATUSES = (*FINISHED_WITHOUT_COMPANY, *OPEN_BEFORE_DISPATCH)
# Apps above the aggregate erase the personal data they keep about an application (the identity
# app: the verifications' phones and selfies, the names in the presence summary), registered in
# AppConfig.ready and called in the same transaction.
_erasers: list[Callable[[uuid.UUID, list[str]], None]] = []


def retention_extend(eraser: Callable[[uuid.UUID, list[str]], None]) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


def retention_cutoff(*, now: datetime, retention_days: int) -> datetime:
    return now - timedelta(days=retention_days)


def applications_due_for_erasure(*, cutoff: datetime) -> QuerySet[Application]:
    """Rejected, returned or abandoned applications untouched since ``cutoff``, not yet erased.

    Completed and dispatching applications keep their data: a company exists, or is being set up.
    """
    return Application.objects.filter(
        status__in=ERASABLE_STATUSES, updated_at__lt=cutoff, personal_data_erased_at__isnull=True
    ).order_by("updated_at")


logger = logging.getLogger(__name__)

ERASED_NAME = "已删除"
_BATCH = 200


@dataclass(frozen=True)
class RetentionResult:
    erased: int
    cutoff: datetime


def retention_sweep(*, now: datetime | None = None, retention_days: int | None = None) -> RetentionResult:
    """Erases the personal data of every application due for it. Idempotent: erased ones are skipped.

    Each application is erased in its own short transaction, so the sweep never holds many locks
    and a crash half-way leaves every application either whole or erased.
    """
    now = now or timezone.now()
    days = settings.PII_RETENTION_DAYS if retention_days is None else retention_days
    cutoff = retention_cutoff(now=now, retention_days=days)
    erased = 0
    while True:
        batch = list(applications_due_for_erasure(cutoff=cutoff).values_list("id", flat=True)[:_BATCH])
        done = sum(personal_data_erase(application_id=pk, cutoff=cutoff, now=now) for pk in batch)
        erased += done
        # A batch in which nothing could be erased (all changed meanwhile) would repeat forever.
        if len(batch) < _BATCH or not done:
            break
    if erased:
        logger.info("retention sweep erased the personal data of %d applications", erased)
    return RetentionResult(erased=erased, cutoff=cutoff)


def personal_data_erase(*, application_id: uuid.UUID, cutoff: datetime, now: datetime | None = None) -> bool:
    """Erases one application's personal data if it is still due; True when it did.

    Kept for statistics: status, outcomes, timestamps, company facts, checks and work items.
    Erased: the persons' names, ID numbers (and their index) and phones, and the names quoted in
    findings (the ID numbers there are already masked).
    """
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(pk=application_id).first()
        # Checked again under the lock: the application may have moved on since it was selected.
        if (
            application is None
            or application.personal_data_erased_at is not None
            or application.status not in ERASABLE_STATUSES
            or application.updated_at >= cutoff
        ):
            return False
        persons = Person.objects.filter(application=application)
        names = sorted({name for name in persons.values_list("name", flat=True) if name and name != ERASED_NAME})
        erased_persons = persons.update(name=ERASED_NAME, id_number="", id_number_index="", phone="")
        for check in Check.objects.select_for_update().filter(application=application):
            scrubbed = _without_names(check.findings, names=names)
            if scrubbed != check.findings:
                check.findings = scrubbed
                check.save(update_fields=["findings"])
        for eraser in _erasers:
            eraser(application.id, names)
        # updated_at is left alone: it still tells when the application was last worked on.
        application.personal_data_erased_at = now or timezone.now()
        application.save(update_fields=["personal_data_erased_at"])
        audit_record(action="application.personal_data_erased", application_id=application.id, persons=erased_persons)
    return True


def _without_names(value: Any, *, names: list[str]) -> Any:
    """``value`` (findings JSON) with every quoted person name replaced by the erased marker."""
    if isinstance(value, str):
        # Longest first, so that "欧阳娜" is not half-replaced by a shorter "欧阳".
        for name in sorted(names, key=len, reverse=True):
            value = value.replace(name, ERASED_NAME)
        return value
    if isinstance(value, list):
        return [_without_names(item, names=names) for item in value]
    if isinstance(value, dict):
        return {key: _without_names(item, names=names) for key, item in value.items()}
    return value
