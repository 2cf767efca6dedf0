"""Thin Celery tasks of the proof of presence: IDs in, a service call, nothing else."""

from celery import shared_task

from identity.ports import DepartmentUnavailable
from identity.services import presence_lapse_overdue, verification_link_send

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(
    name="identity.send_link",
    bind=True,
    max_retries=8,
    time_limit=60,
    soft_time_limit=45,
    **TASK_OPTIONS,
)
def send_link(self: object, *, verification_id: str) -> None:
    try:
        verification_link_send(verification_id=verification_id)
    except DepartmentUnavailable as unreachable:
        # Exponential backoff; the message names the department only, never the phone.
        raise self.retry(countdown=min(600, 5 * 2**self.request.retries)) from unreachable


@shared_task(name="identity.lapse_overdue", time_limit=120, soft_time_limit=100, **TASK_OPTIONS)
def lapse_overdue() -> int:
    return presence_lapse_overdue()
