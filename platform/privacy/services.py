"""Retention of personal data: what is erased, when, and what is kept for statistics."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from audit.services import audit_record
from intake.models import Application, Person
from privacy.fields import EncryptedTextField
from privacy.selectors import ERASABLE_STATUSES, applications_due_for_erasure, retention_cutoff
from workflow.models import Check

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


def personal_data_reencrypt(*, model_classes: list[type[models.Model]], batch_size: int = 500) -> dict[str, int]:
    """Rewrites every encrypted value of ``model_classes`` under the first key of PII_ENCRYPTION_KEYS.

    Reading decrypts with whichever configured key fits; writing always encrypts with the first.
    Run after putting a new key in front; afterwards the old key can be dropped.
    """
    counts: dict[str, int] = {}
    for model in model_classes:
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not fields:
            continue
        count = 0
        queryset = model._default_manager.order_by("pk").only("pk", *fields)
        last_pk = None
        while True:
            page = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
            rows = list(page[:batch_size])
            if not rows:
                break
            with transaction.atomic():
                model._default_manager.bulk_update(rows, fields)
            count += len(rows)
            last_pk = rows[-1].pk
        counts[model._meta.label] = count
    return counts
