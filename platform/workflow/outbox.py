"""The transactional outbox: tasks are recorded with the state that needs them, published after commit."""

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from config.celery_app import app as celery_app
from workflow.models import OutboxMessage

logger = logging.getLogger(__name__)


def outbox_enqueue(*, task: str, queue: str, delay_seconds: float = 0.0, **kwargs: object) -> OutboxMessage:
    """Records a task in the caller's transaction; it is published once that transaction commits.

    Only IDs go into kwargs: the broker never sees personal data.
    """
    message = OutboxMessage.objects.create(
        task=task, queue=queue, kwargs=kwargs, available_at=timezone.now() + timedelta(seconds=delay_seconds)
    )
    if delay_seconds <= 0:
        transaction.on_commit(partial(_relay_after_commit, message.id))
    return message


def _relay_after_commit(message_id: int) -> None:
    try:
        outbox_relay(ids=[message_id])
    except Exception:
        # The periodic relay publishes it later; the request that committed must not fail now.
        logger.exception("outbox: publishing message %s after commit failed; the periodic relay will retry", message_id)


def outbox_relay(*, ids: list[int] | None = None, limit: int = 500) -> int:
    """Publishes due, unpublished messages; returns how many were published."""
    with transaction.atomic():
        due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            published_at__isnull=True, available_at__lte=timezone.now()
        )
        if ids is not None:
            due = due.filter(id__in=ids)
        messages = list(due.order_by("id")[:limit])
        now = timezone.now()
        for message in messages:
            # Publishing inside the transaction: if we crash before commit the row stays
            # unpublished and is sent again, which only repeats an idempotent task.
            celery_app.send_task(message.task, kwargs=message.kwargs, queue=message.queue)
            message.published_at = now
            message.publish_attempts += 1
        OutboxMessage.objects.bulk_update(messages, ["published_at", "publish_attempts"])
    return len(messages)


def outbox_purge(*, older_than: timedelta) -> int:
    """Deletes published messages past the retention window."""
    deleted, _ = OutboxMessage.objects.filter(
        published_at__isnull=False, published_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
