"""Thin Celery tasks of the rules app: an id in, a service call, nothing else."""

from celery import shared_task

from rules.services.import_jobs import import_job_run
from rules.services.reservations import name_reservations_release_expired


# Default queue ("pipeline"): served by the checks worker. An import of a million rows takes
# one to two minutes; the limits leave room for a slow machine.
@shared_task(
    name="rules.run_import_job",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    queue="pipeline",
    time_limit=1800,
    soft_time_limit=1700,
)
def run_import_job(*, job_id: int) -> None:
    import_job_run(job_id=job_id)


# Beat runs this (e.g. hourly): a name whose reservation lapsed is free again. The names library
# already ignores an expired reservation; this keeps the records and the unique indexes honest.
@shared_task(
    name="rules.release_expired_name_reservations",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    queue="pipeline",
    time_limit=120,
    soft_time_limit=100,
)
def release_expired_name_reservations() -> int:
    return name_reservations_release_expired()
