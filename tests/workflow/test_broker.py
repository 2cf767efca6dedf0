"""The embedded broker and the periodic tasks, as beat and the workers use them."""

import json
import os
import threading
import uuid

from django.conf import settings
from kombu import Connection

from config.celery_app import app
from workflow.broker import Transport

TOTAL = 200


def test_every_beat_entry_can_be_published():
    app.loader.import_default_modules()  # every app's tasks, as a worker would load them
    # Beat publishes with the task's own limits; a soft limit above the hard one is refused.
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = app.tasks[entry["task"]]
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft <= hard, entry["task"]
        task.apply_async()


def test_a_message_file_is_never_visible_half_written(tmp_path):
    """What a polling worker sees: every .msg file it can open holds a whole message."""
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "control_folder": str(tmp_path)}
    queue_name = f"race-{uuid.uuid4().hex[:8]}"
    done = threading.Event()
    torn: list[str] = []
    seen: set[str] = set()

    def watch() -> None:
        while not done.is_set():
            for name in os.listdir(tmp_path):
                if not name.endswith(".msg") or name in seen:
                    continue
                content = (tmp_path / name).read_bytes()
                try:
                    json.loads(content)
                    seen.add(name)
                except ValueError:
                    torn.append(f"{name}: {len(content)} bytes")

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with Connection(transport=Transport, transport_options=options) as connection:
            queue = connection.SimpleQueue(queue_name)
            for number in range(TOTAL):
                queue.put({"n": number, "padding": "x" * 256_000})
    finally:
        done.set()
        watcher.join()

    assert torn == []
    assert len(list(tmp_path.glob("*.msg"))) == TOTAL
    assert not list(tmp_path.glob("*.partial"))
