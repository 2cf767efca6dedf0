"""Import jobs: one import of a list file, run in the background (admin) or in the foreground
(CLI), with progress people can watch and one job per kind and scope at a time.

The job row is committed before any work starts, and the partial unique index on (kind, scope)
over queued and running jobs refuses a second one, whichever door it comes through. The file
waits on disk under ``VAR_DIR/imports``; the Celery task carries only the job id.

Progress is written to a small file beside the upload rather than to the job row: the import
itself runs in one transaction (all or nothing), and on SQLite that transaction holds the only
write lock, so progress written to the database would not be seen until the end. A job whose
progress has not moved for ``STALE_AFTER`` (a worker killed mid-import) is marked failed when
the next import of its kind and scope asks, so it cannot block the list forever.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from rules.files import FileUnreadable, upload_text
from rules.jurisdictions import NATIONAL, scope_validate
from rules.lists import list_kind_get
from rules.models import ImportJob
from rules.services.importing import ImportFailed, list_import

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(minutes=10)
# Progress is written at most this often (seconds), whatever the import's pace.
PROGRESS_INTERVAL = 0.5


class ImportAlreadyRunning(Exception):
    """Another import of the same kind and scope is queued or running."""

    def __init__(self, job: ImportJob | None, *, kind: str, scope: str) -> None:
        self.job = job
        where = "" if scope == NATIONAL else f" ({scope})"
        since = (
            f", started by {job.requested_by or 'the command line'} at {job.created_at:%Y-%m-%d %H:%M}" if job else ""
        )
        super().__init__(
            f"another import of {kind}{where} is still running{since}; wait for it to finish and try again"
        )


def imports_dir() -> Path:
    path = Path(getattr(settings, "VAR_DIR", "var")) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _progress_path(job: ImportJob) -> Path | None:
    # Beside the upload, whose name carries a random part: primary keys may be reused.
    return Path(f"{job.path}.progress.json") if job.path else None


def _safe_name(filename: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name)[-80:] or "upload"


def _expire_stale(*, kind: str, scope: str) -> None:
    now = timezone.now()
    for job in ImportJob.objects.filter(
        kind=kind, scope=scope, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ):
        last = import_job_progress(job=job).get("updated_at") or job.heartbeat_at or job.created_at
        if isinstance(last, str):
            last = datetime.datetime.fromisoformat(last)
        if now - last > STALE_AFTER:
            ImportJob.objects.filter(pk=job.pk, status=job.status).update(
                status=ImportJob.Status.FAILED,
                finished_at=now,
                errors=[[0, "the import stopped without finishing (its worker was lost); nothing was imported"]],
            )


def import_job_create(
    *,
    kind: str,
    filename: str,
    data: bytes,
    scope: str = NATIONAL,
    publish: bool = False,
    effective_at: datetime.datetime | None = None,
    requested_by: str = "",
) -> ImportJob:
    """Record an import and store its file; ImportAlreadyRunning if one of the same kind and
    scope is queued or running. KeyError for an unknown kind, ScopeInvalid for a bad scope."""
    list_kind_get(kind)
    scope = scope_validate(scope)
    _expire_stale(kind=kind, scope=scope)
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=kind,
                scope=scope,
                filename=Path(filename).name[:255],
                publish=publish,
                effective_at=effective_at,
                requested_by=requested_by[:150],
            )
    except IntegrityError:
        running = ImportJob.objects.filter(
            kind=kind, scope=scope, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
        ).first()
        raise ImportAlreadyRunning(running, kind=kind, scope=scope) from None
    path = imports_dir() / f"{job.pk}-{secrets.token_hex(8)}-{_safe_name(filename)}"
    path.write_bytes(data)
    ImportJob.objects.filter(pk=job.pk).update(path=str(path))
    job.path = str(path)
    return job


def import_job_enqueue(*, job: ImportJob) -> None:
    """Run the job on a worker once the transaction that created it (if any) commits."""
    from rules.tasks import run_import_job

    job_id = job.pk
    transaction.on_commit(lambda: run_import_job.delay(job_id=job_id))


def import_job_progress(*, job: ImportJob) -> dict[str, Any]:
    """{"rows_done", "rows_total", "updated_at"} as last reported, {} before the first report;
    a finished job's figures come from its row."""
    if job.finished:
        return {"rows_done": job.rows_done, "rows_total": job.rows_total, "updated_at": job.finished_at.isoformat()}
    path = _progress_path(job)
    try:
        return json.loads(path.read_text()) if path is not None else {}
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_progress(job: ImportJob, *, done: int, total: int) -> None:
    path = _progress_path(job)
    if path is None:
        return
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"rows_done": done, "rows_total": total, "updated_at": timezone.now().isoformat()}))
    os.replace(temporary, path)  # readers never see a half-written file


def import_job_run(*, job_id: int, on_progress: Callable[[int, int], None] | None = None) -> ImportJob | None:
    """Run a queued job to its end: done with a summary, or failed with the line-numbered errors.

    Idempotent: a job that is not queued (already run, or claimed by another worker) is left
    alone. ``on_progress(done, total)`` is called as rows are checked (the CLI's progress bar).
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)
    errors: list[tuple[int, str]] = []
    summary = None
    try:
        text = upload_text(filename=job.filename, data=Path(job.path).read_bytes())
    except (FileUnreadable, FileNotFoundError) as exc:
        errors = [(0, str(exc) if isinstance(exc, FileUnreadable) else "the uploaded file is gone")]
        text = ""
    total = max(text.count("\n") + (0 if text.endswith("\n") else 1) - 1, 0) if text else 0
    last = 0.0

    def progress(line: int) -> None:
        nonlocal last
        done = max(line - 1, 0)
        if on_progress is not None:
            on_progress(done, total)
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL:
            last = now
            _write_progress(job, done=done, total=total)

    _write_progress(job, done=0, total=total)
    if not errors:
        try:
            summary = list_import(
                kind=job.kind,
                text=text,
                publish=job.publish,
                source=job.filename,
                published_by=job.requested_by,
                effective_at=job.effective_at,
                scope=job.scope,
                progress=progress,
            )
        except ImportFailed as failure:
            errors = failure.errors
        except Exception as exc:  # the job must end visibly, never stay "running"
            logger.exception("import job %s failed", job_id)
            errors = [(0, f"the import failed: {type(exc).__name__}")]
    if on_progress is not None and summary is not None:
        on_progress(total, total)
    job.finished_at = timezone.now()
    job.rows_total = total
    job.rows_done = total
    if summary is not None:
        job.status = ImportJob.Status.DONE
        job.summary = summary.line()[:255]
        job.version_number = summary.version
    else:
        job.status = ImportJob.Status.FAILED
        job.errors = [list(e) for e in errors]
    job.save(update_fields=["status", "finished_at", "rows_total", "rows_done", "summary", "version_number", "errors"])
    for leftover in (Path(job.path), _progress_path(job)):
        try:
            if leftover is not None:
                leftover.unlink(missing_ok=True)
        except OSError:  # only copies; a leftover is harmless
            pass
    return job
