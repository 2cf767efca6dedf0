"""The sweeper tells a lost message from one still waiting its turn in the broker."""

import uuid

import pytest

from config.celery_app import app as celery_app
from workflow.sweeper import queues_holding_messages


@pytest.fixture
def private_queue():
    # A queue no worker consumes, so what the test publishes stays there until it is purged.
    name = f"sweeper-test-{uuid.uuid4().hex[:8]}"
    yield name
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(name)


def test_a_queue_with_a_waiting_message_holds_messages_and_an_empty_one_does_not(private_queue):
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_declare(queue=private_queue, durable=True, auto_delete=False)
    assert queues_holding_messages([private_queue]) == set()

    celery_app.send_task("workflow.run_check", kwargs={"check_id": 0}, queue=private_queue)

    assert queues_holding_messages([private_queue, "never-declared"]) == {private_queue}
