"""Keeps the operational tables from growing without bound (run on beat)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from exchange.services import exchange_records_prune, sent_requests_prune
from workflow.outbox import outbox_purge


@dataclass(frozen=True)
class PruneReport:
    outbox_messages: int
    exchange_records: int
    sent_requests: int


def operational_tables_prune() -> PruneReport:
    return PruneReport(
        outbox_messages=outbox_purge(older_than=timedelta(hours=settings.OUTBOX_RETENTION_HOURS)),
        exchange_records=exchange_records_prune(older_than=timedelta(days=settings.EXCHANGE_RETENTION_DAYS)),
        sent_requests=sent_requests_prune(older_than=timedelta(days=settings.EXCHANGE_RETENTION_DAYS)),
    )
