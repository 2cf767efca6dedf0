"""The embedded broker and the periodic tasks, as beat and the workers use them."""

import threading
import uuid

from django.conf import settings
from kombu import Connection

from config.celery_app import app
from workflow import tasks  # noqa: F401  (registers the tasks)
from workflow.broker import Transport


def test_every_beat_entry_can_be_published():
    # Beat publishes with the task's own limits; a soft limit above the hard one is refused.
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = app.tasks[entry["task"]]
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft <= hard, entry["task"]
        task.apply_async()


def test_a_consumer_never_sees_a_half_written_message(tmp_path):
    options = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
        "control_folder": str(tmp_path),
        "polling_interval": 0,  # poll as fast as possible, to catch a file mid-write
    }
    total = 400
    # kombu remembers bindings per process, so each run needs a queue it has never bound.
    queue_name = f"race-{uuid.uuid4().hex[:8]}"
    received: list[dict] = []
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            with Connection(transport=Transport, transport_options=options) as connection:
                queue = connection.SimpleQueue(queue_name)
                while len(received) < total:
                    message = queue.get(timeout=10)
                    received.append(message.payload)
                    message.ack()
        except BaseException as error:  # surfaced below
            errors.append(error)

    consumer = threading.Thread(target=consume)
    consumer.start()
    with Connection(transport=Transport, transport_options=options) as connection:
        queue = connection.SimpleQueue(queue_name)
        for number in range(total):
            queue.put({"n": number, "padding": "x" * 4096})
    consumer.join(timeout=60)

    assert errors == []
    assert sorted(m["n"] for m in received) == list(range(total))
    assert not list(tmp_path.glob("*.partial"))
