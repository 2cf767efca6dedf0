"""The Celery application. Tasks carry IDs only and are idempotent (DESIGN.md)."""

import os
import sys
from pathlib import Path

_source_root = str(Path(__file__).resolve().parent.parent)
if _source_root not in sys.path:
    sys.path.insert(0, _source_root)
_repo_root = str(Path(__file__).resolve().parent.parent.parent)
if _repo_root not in sys.path:
    sys.path.insert(0, _repo_root)

from celery import Celery, signals  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("onewindow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def database_connections_tidy(task: object = None, **_: object) -> None:
    """Keeps each worker thread's database connection across tasks, as Django keeps a web thread's.

    Celery's Django fixup closes every connection before and after each task unless
    CELERY_DB_REUSE_MAX is set (settings set it), which made every task open a new PostgreSQL
    session: a backend process forked, authenticated and configured, per task. Django's own rule
    applies instead: a connection is closed when it is older than CONN_MAX_AGE, or broken (after
    an error, it is health-checked), so a restarted database is reconnected on the next task.
    """
    if getattr(getattr(task, "request", None), "is_eager", False):
        return  # run in the caller's thread (task.apply()): its connection is the caller's
    from django.db import close_old_connections

    close_old_connections()
