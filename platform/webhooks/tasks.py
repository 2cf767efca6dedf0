"""Thin Celery tasks on the `webhooks` queue: IDs in, a service call, nothing else."""

from celery import shared_task

from webhooks.services import deliveries_sweep, delivery_attempt

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="webhooks.deliver", **TASK_OPTIONS, time_limit=60, soft_time_limit=45)
def deliver(*, delivery_id: int) -> None:
    delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.sweep", **TASK_OPTIONS, time_limit=120, soft_time_limit=100)
def sweep() -> int:
    return deliveries_sweep()
