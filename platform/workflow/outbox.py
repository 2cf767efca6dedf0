"""The transactional outbox: tasks are recorded with the state that needs them, published after commit.

Publishing never happens inside a database transaction. A transaction that enqueues tasks
registers one on-commit hook, which publishes them with a short broker timeout and marks them
published in one statement. What it could not publish (broker down or slow, process killed
between commit and publish) stays unpublished, and the periodic relay publishes it later. A
message may therefore be published twice; every task is idempotent, so that only repeats work.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.celery_app import app as celery_app
from workflow.models import OutboxMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskMessage:
    """A task to run: its name, its queue and its keyword arguments (IDs only, never personal data)."""

    task: str
    queue: str
    kwargs: dict[str, object] = field(default_factory=dict)
    delay_seconds: float = 0.0


def outbox_enqueue(*, task: str, queue: str, delay_seconds: float = 0.0, **kwargs: object) -> OutboxMessage:
    """Records one task in the caller's transaction; see `outbox_enqueue_many`."""
    return outbox_enqueue_many([TaskMessage(task=task, queue=queue, kwargs=kwargs, delay_seconds=delay_seconds)])[0]


def outbox_enqueue_many(messages: list[TaskMessage]) -> list[OutboxMessage]:
    """Records tasks in the caller's transaction, in one insert; due ones are published on commit."""
    if not messages:
        return []
    now = timezone.now()
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            task=message.task,
            queue=message.queue,
            kwargs=message.kwargs,
            available_at=now + timedelta(seconds=message.delay_seconds),
        )
        for message in messages
    )
    due = [row for row, message in zip(rows, messages, strict=True) if message.delay_seconds <= 0]
    if due:
        transaction.on_commit(partial(_publish_after_commit, due))
    return rows


def _publish_after_commit(rows: list[OutboxMessage]) -> None:
    published: list[int] = []
    for row in rows:
        try:
            _publish(row, retry=False)
        except Exception:
            # The relay publishes it later; the request or task that committed must not fail.
            logger.warning("outbox: message %s not published after commit; the relay will retry", row.id)
            break  # the broker is unwell: leave the rest to the relay rather than wait on each
        published.append(row.id)
    _mark_published(published)


def _publish(row: OutboxMessage, *, retry: bool) -> None:
    celery_app.send_task(
        row.task,
        kwargs=row.kwargs,
        queue=row.queue,
        retry=retry,
        retry_policy=settings.OUTBOX_RELAY_RETRY_POLICY,
    )


def _mark_published(ids: list[int]) -> None:
    if ids:
        OutboxMessage.objects.filter(id__in=ids, published_at__isnull=True).update(
            published_at=timezone.now(), publish_attempts=F("publish_attempts") + 1
        )


def outbox_relay(*, limit: int = 500, grace_seconds: float | None = None) -> int:
    """Publishes due, unpublished messages (outside any transaction); returns how many.

    Messages younger than the grace period are left to their own on-commit hook, so that the
    relay and the hook rarely publish the same message twice.
    """
    grace = settings.OUTBOX_RELAY_GRACE_SECONDS if grace_seconds is None else grace_seconds
    due = list(
        OutboxMessage.objects.filter(
            published_at__isnull=True, available_at__lte=timezone.now() - timedelta(seconds=grace)
        ).order_by("available_at", "id")[:limit]
    )
    published: list[int] = []
    for row in due:
        try:
            _publish(row, retry=True)
        except Exception:
            logger.warning("outbox relay: the broker refused message %s; retrying on the next run", row.id)
            break
        published.append(row.id)
    _mark_published(published)
    return len(published)


def outbox_backlog() -> int:
    """Messages due and not yet published (an operator's health figure)."""
    return OutboxMessage.objects.filter(published_at__isnull=True, available_at__lte=timezone.now()).count()


def outbox_purge(*, older_than: timedelta) -> int:
    """Deletes published messages past the retention window."""
    deleted, _ = OutboxMessage.objects.filter(
        published_at__isnull=False, published_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
