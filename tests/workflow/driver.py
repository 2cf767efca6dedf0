"""Drives the pipeline in the test process: the tasks the outbox scheduled, run one by one.

The same services the Celery workers run, called in order of scheduling, so a test can stop at
any state (a department down, an application incomplete) and look. Departments are reached
over HTTP through the in-process transport.
"""

from django.db.models import Max

from applications.models import Application
from exchange.client import DepartmentAuth, department_client
from intake.api.serializers import ApplicationInputSerializer
from intake.services import application_submit
from tests.conftest import trusted_channel
from webhooks.events import DELIVER_TASK
from webhooks.services import delivery_attempt
from workflow.models import OutboxMessage
from workflow.services import (
    CALL_DEPARTMENT_TASK,
    CALL_DEPARTMENTS_TASK,
    RUN_CHECK_TASK,
    RUN_CHECKS_TASK,
    check_run,
    checks_run,
    department_call,
    departments_call,
)

TASKS = {
    RUN_CHECKS_TASK: checks_run,
    RUN_CHECK_TASK: check_run,
    CALL_DEPARTMENT_TASK: department_call,
    CALL_DEPARTMENTS_TASK: departments_call,
    DELIVER_TASK: delivery_attempt,
}


def submit(document: dict, **who: object) -> Application:
    serializer = ApplicationInputSerializer(data=document)
    serializer.is_valid(raise_exception=True)
    return application_submit(
        document=serializer.validated_data, **who, presence_attested_by=trusted_channel()
    ).application


def last_message_id() -> int:
    return OutboxMessage.objects.aggregate(last=Max("id"))["last"] or 0


def run_scheduled(*, after: int = 0, limit: int = 200) -> int:
    """Runs every pipeline task scheduled after message `after`, including those they schedule."""
    ran = 0
    while ran < limit:
        message = OutboxMessage.objects.filter(id__gt=after, task__in=TASKS).order_by("id").first()
        if message is None:
            return ran
        after = message.id
        TASKS[message.task](**message.kwargs)
        ran += 1
    raise AssertionError(f"more than {limit} tasks: the pipeline loops")


def department_configure(department: str, **switches: object) -> None:
    """Sets a simulated department's switches over HTTP, as an operator of that system would."""
    response = department_client().put(f"{department}/config/", json=switches, auth=DepartmentAuth(department))
    assert response.status_code == 200, response.text
