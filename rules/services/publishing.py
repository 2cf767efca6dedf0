"""Publishing a list version: golden cases first, then the publication log."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from rules.jurisdictions import NATIONAL
from rules.models import ListVersion, Publication
from rules.services.golden import GoldenResult, golden_cases_run
from rules.signals import version_published

logger = logging.getLogger(__name__)


class PublishRefused(Exception):
    """Publishing was refused because golden cases fail; ``failures`` says which and how."""

    def __init__(self, failures: list[GoldenResult]) -> None:
        self.failures = failures
        super().__init__("; ".join(f.describe() for f in failures))


def _publish(version: ListVersion, *, published_by: str, effective_at: datetime.datetime | None) -> None:
    failures = [r for r in golden_cases_run(kind=version.kind, version_id=version.pk) if not r.passed]
    if failures:
        raise PublishRefused(failures)
    now = timezone.now()
    effective = effective_at or now
    # Archive first: the partial unique index allows one published version per kind at any
    # moment, including inside this transaction.
    ListVersion.objects.filter(kind=version.kind, scope=version.scope, status=ListVersion.Status.PUBLISHED).exclude(
        pk=version.pk
    ).update(status=ListVersion.Status.ARCHIVED)
    version.status = ListVersion.Status.PUBLISHED
    version.published_at = now
    version.published_by = published_by[:150]
    version.effective_from = effective
    version.save(update_fields=["status", "published_at", "published_by", "effective_from"])
    Publication.objects.create(
        kind=version.kind,
        scope=version.scope,
        version=version,
        number=version.number,
        token=version.token,
        effective_at=effective,
        published_by=published_by[:150],
    )
    kind, number, scope = version.kind, version.number, version.scope
    transaction.on_commit(
        lambda: version_published.send(
            sender=ListVersion, kind=kind, number=number, published_by=published_by, scope=scope
        )
    )


def version_publish(
    *,
    kind: str,
    number: int,
    published_by: str = "",
    effective_at: datetime.datetime | None = None,
    scope: str = NATIONAL,
) -> None:
    """Make version ``number`` of ``kind`` the active one of its ``scope`` layer (from
    ``effective_at``, default now).

    Publishing an archived version is how an administrator rolls back. Workers pick the change
    up on their next check; no restart is needed. Raises PublishRefused while a golden case of a
    library that reads this list fails against the version.
    """
    with transaction.atomic():
        # Lock the kind's versions so two concurrent publishes serialize instead of colliding
        # on the unique index.
        versions = {v.number: v for v in ListVersion.objects.select_for_update().filter(kind=kind, scope=scope)}
        version = versions.get(number)
        if version is None:
            where = "" if scope == NATIONAL else f" in scope {scope}"
            raise ValueError(f"{kind} has no version {number}{where}")
        if version.status == ListVersion.Status.LOADING:
            raise ValueError(f"{kind} version {number} is still being imported")
        if version.status == ListVersion.Status.PUBLISHED and effective_at is None:
            current = Publication.objects.filter(kind=kind, scope=scope, effective_at__lte=timezone.now()).first()
            if current is not None and current.version_id == version.pk:
                return
        _publish(version, published_by=published_by, effective_at=effective_at)
    logger.info("published list %s@%s version %s", kind, scope, number)
