"""Thin Celery tasks of the rules app: an id in, a service call, nothing else."""

from celery import shared_task

from rules.services.import_jobs import import_job_run


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
