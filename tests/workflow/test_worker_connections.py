"""A worker thread keeps its database connection across tasks, and drops a broken one."""

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from config.celery_app import app
from workflow.tasks import sweep

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite connections are files, not sessions")


def _one_task() -> None:
    """What a worker does around a task: Celery's Django fixup and every other task signal."""
    task = sweep
    fixup = DjangoWorkerFixup(app)
    fixup.on_task_prerun(sender=task)
    signals.task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
    connection.ensure_connection()
    fixup.on_task_postrun(sender=task)
    signals.task_postrun.send(sender=task, task_id="t", task=task, args=(), kwargs={}, retval=None, state="SUCCESS")


@pytest.mark.django_db(transaction=True)
def test_the_connection_outlives_the_task():
    connection.ensure_connection()
    session = connection.connection

    for _ in range(3):
        _one_task()

    assert connection.connection is session


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_replaced_on_the_next_task():
    connection.ensure_connection()
    broken = connection.connection
    broken.close()  # as after a database restart
    connection.errors_occurred = True  # Django sets this when a query fails

    _one_task()

    assert connection.connection is not broken
    assert connection.is_usable()
