"""The outbox marks what it published, once: after commit, and from the relay."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from workflow.models import OutboxMessage
from workflow.outbox import TaskMessage, _mark_published, outbox_enqueue_many, outbox_relay

# A queue no worker of the session consumes: the messages only need to reach the broker.
QUEUE = "tests.outbox"


@pytest.mark.django_db
def test_a_message_is_marked_published_after_its_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (row,) = outbox_enqueue_many([TaskMessage(task="tests.noop", queue=QUEUE, kwargs={"n": 1})])
        assert OutboxMessage.objects.get(pk=row.pk).published_at is None  # not while the transaction is open

    stored = OutboxMessage.objects.get(pk=row.pk)
    assert stored.published_at is not None and stored.publish_attempts == 1
    _mark_published([row.pk])  # a second mark (the relay racing the hook) changes nothing
    assert OutboxMessage.objects.get(pk=row.pk).publish_attempts == 1


@pytest.mark.django_db
def test_the_relay_publishes_and_marks_what_the_commit_hook_left():
    due = timezone.now() - timedelta(minutes=1)
    left = [
        OutboxMessage.objects.create(task="tests.noop", queue=QUEUE, kwargs={"n": n}, available_at=due) for n in (1, 2)
    ]
    later = OutboxMessage.objects.create(
        task="tests.noop", queue=QUEUE, kwargs={"n": 3}, available_at=timezone.now() + timedelta(hours=1)
    )

    assert outbox_relay(grace_seconds=0) == 2

    assert all(OutboxMessage.objects.get(pk=row.pk).publish_attempts == 1 for row in left)
    assert OutboxMessage.objects.get(pk=later.pk).published_at is None  # not due yet
