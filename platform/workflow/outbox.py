"""The transactional outbox: tasks are recorded with the state that needs them, published after commit.

Publishing never happens inside a database transaction. A transaction that enqueues tasks
registers one on-commit hook, which publishes them with a short broker timeout and marks them
published in one statement. What it could not publish (broker down or slow, process killed
between commit and publish) stays unpublished, and the periodic relay publishes it later. A
message may therefore be published twice; every task is idempotent, so that only repeats work.
"""

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from kombu import Producer

from config.bulk import rows_insert
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
    rows = [
        OutboxMessage(
            task=message.task,
            queue=message.queue,
            kwargs=message.kwargs,
            available_at=now + timedelta(seconds=message.delay_seconds),
        )
        for message in messages
    ]
    rows_insert(rows)
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
    message_publish(task=row.task, queue=row.queue, kwargs=row.kwargs, retry=retry)


def message_publish(*, task: str, queue: str, kwargs: dict[str, object], retry: bool) -> None:
    """Publishes one task message through this thread's own broker connection.

    Celery's shared producer pool hands connections between threads; when the broker restarts,
    a thread publishing while another reconnects can find its channel's transport already torn
    down (kombu's redis `_connparams`: 'NoneType' object has no attribute 'hostname', kombu#582
    and #659). A connection per thread (per process, since prefork children inherit the
    parent's) is never shared. After a failure it is dropped and the publish tried once more on
    a fresh one; if that fails too, the caller leaves the message to the outbox relay.
    """
    try:
        _send(task=task, queue=queue, kwargs=kwargs, retry=retry)
    except Exception:
        _producer_drop()
        _send(task=task, queue=queue, kwargs=kwargs, retry=retry)


def _send(*, task: str, queue: str, kwargs: dict[str, object], retry: bool) -> None:
    celery_app.send_task(
        task,
        kwargs=kwargs,
        queue=queue,
        producer=_producer(),
        retry=retry,
        retry_policy=settings.OUTBOX_RELAY_RETRY_POLICY,
    )


_thread_state = threading.local()


def _producer() -> Producer:
    owner, producer = getattr(_thread_state, "producer", (None, None))
    if owner != os.getpid() or producer is None:
        producer = celery_app.amqp.Producer(celery_app.connection_for_write())
        _thread_state.producer = (os.getpid(), producer)
    return producer


def _producer_drop() -> None:
    owner, producer = getattr(_thread_state, "producer", (None, None))
    _thread_state.producer = (None, None)
    if producer is not None and owner == os.getpid():
        # No network I/O: the connection may be the broken part.
        producer.connection.collect()


def _mark_published(ids: list[int]) -> None:
    # Every committed transaction that enqueued a task runs this, so the statement is written out
    # rather than compiled by the ORM on each call.
    if not ids:
        return
    published_at = OutboxMessage._meta.get_field("published_at").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_MARK_PUBLISHED_SQL} ({', '.join(['%s'] * len(ids))}) AND published_at IS NULL", [published_at, *ids]
        )


_MARK_PUBLISHED_SQL = (
    f"UPDATE {OutboxMessage._meta.db_table} SET published_at = %s, publish_attempts = publish_attempts + 1 WHERE id IN"
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
