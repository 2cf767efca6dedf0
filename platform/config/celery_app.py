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

from celery import Celery  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("onewindow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
