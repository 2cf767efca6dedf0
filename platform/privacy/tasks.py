"""Thin Celery tasks of the privacy app."""

from celery import shared_task

from privacy.services import retention_sweep


@shared_task(name="privacy.retention_sweep", acks_late=True, ignore_result=True, time_limit=300, soft_time_limit=270)
def retention_sweep_task() -> int:
    return retention_sweep().erased
