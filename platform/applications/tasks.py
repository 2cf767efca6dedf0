"""Thin Celery tasks of the aggregate."""

from celery import shared_task

from applications.retention import retention_sweep


# The name predates the move of retention into the aggregate; beat schedules and queued
# messages still use it.
@shared_task(name="privacy.retention_sweep", acks_late=True, ignore_result=True, time_limit=300, soft_time_limit=270)
def retention_sweep_task() -> int:
    return retention_sweep().erased
