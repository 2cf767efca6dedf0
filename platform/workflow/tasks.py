"""Thin Celery tasks: IDs in, a service call, nothing else. Every one is idempotent."""

from celery import shared_task

from workflow.maintenance import operational_tables_prune
from workflow.outbox import outbox_relay
from workflow.services import check_run, checks_run, department_call, departments_call
from workflow.sweeper import workflow_sweep

# Explicit limits on every task: a hung rule evaluation or department call ends, is retried,
# and past the attempt limit fails visibly.
TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}
WORK_LIMITS = {"time_limit": 60, "soft_time_limit": 45}


@shared_task(name="workflow.run_checks", **TASK_OPTIONS, **WORK_LIMITS)
def run_checks(*, application_id: str) -> None:
    checks_run(application_id=application_id)


@shared_task(name="workflow.run_check", **TASK_OPTIONS, **WORK_LIMITS)
def run_check(*, check_id: int) -> None:
    check_run(check_id=check_id)


@shared_task(name="workflow.call_department", **TASK_OPTIONS, **WORK_LIMITS)
def call_department(*, work_item_id: int) -> None:
    department_call(work_item_id=work_item_id)


@shared_task(name="workflow.call_departments", **TASK_OPTIONS, **WORK_LIMITS)
def call_departments(*, work_item_ids: list[int]) -> None:
    departments_call(work_item_ids=work_item_ids)


@shared_task(name="workflow.outbox_relay", **TASK_OPTIONS, time_limit=60, soft_time_limit=50)
def relay_outbox() -> int:
    return outbox_relay()


@shared_task(name="workflow.sweep", **TASK_OPTIONS, time_limit=120, soft_time_limit=100)
def sweep() -> int:
    return workflow_sweep().total


@shared_task(name="workflow.prune", **TASK_OPTIONS, time_limit=600, soft_time_limit=550)
def prune() -> dict[str, int]:
    return vars(operational_tables_prune())
