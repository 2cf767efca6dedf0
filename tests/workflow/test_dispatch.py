"""The dispatch DAG holds under re-drives and crashes: no department called before its upstream, none twice."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Max
from django.utils import timezone

import workflow.services
from applications.models import Application, WorkItem
from exchange.models import ExchangeRecord
from exchange.services import department_send, stored_payloads
from intake.api.serializers import ApplicationInputSerializer
from intake.services import application_submit
from tests.conftest import application_document, bare_application, trusted_channel
from tests.workflow.driver import department_configure, last_message_id, run_scheduled
from workflow.models import OutboxMessage
from workflow.services import (
    CALL_DEPARTMENT_TASK,
    CALL_DEPARTMENTS_TASK,
    DEPARTMENTS_QUEUE,
    check_run,
    department_call,
    departments_call,
)
from workflow.sweeper import workflow_sweep


def _dispatching_application() -> Application:
    serializer = ApplicationInputSerializer(data=application_document(name="深圳市青禾远峰科技有限公司"))
    serializer.is_valid(raise_exception=True)
    application = application_submit(
        document=serializer.validated_data, presence_attested_by=trusted_channel()
    ).application
    for check in application.checks.all():
        check_run(check_id=check.id)
    application.refresh_from_db()
    assert application.status == "dispatching"
    return application


def _department_messages(application: Application) -> list[str]:
    """The department of every call scheduled for the application, one per call, whichever task carries it."""
    items = dict(WorkItem.objects.filter(application=application).values_list("id", "department"))
    called: list[str] = []
    for message in OutboxMessage.objects.filter(task__in=(CALL_DEPARTMENT_TASK, CALL_DEPARTMENTS_TASK)):
        ids = message.kwargs.get("work_item_ids") or [message.kwargs["work_item_id"]]
        called.extend(items[item_id] for item_id in ids if item_id in items)
    return sorted(called)


@pytest.mark.django_db
def test_the_sweeper_re_drives_pending_items_through_the_dag(libraries, citizens):
    application = _dispatching_application()
    assert _department_messages(application) == ["market_regulation"]
    # Everything looks stuck: the market-regulation call was lost, the others wait for it.
    WorkItem.objects.filter(application=application).update(updated_at=timezone.now() - timedelta(hours=1))

    workflow_sweep(stuck_after=timedelta(seconds=1))

    assert _department_messages(application) == ["market_regulation", "market_regulation"]


@pytest.mark.django_db
def test_a_department_whose_upstream_is_not_done_is_not_called(libraries, citizens):
    application = _dispatching_application()
    tax = application.work_items.get(department="tax")

    department_call(work_item_id=tax.id)  # a stray message, e.g. an old re-drive

    tax.refresh_from_db()
    assert (tax.status, tax.attempts) == ("pending", 0)
    market = application.work_items.get(department="market_regulation")
    department_call(work_item_id=market.id)
    department_call(work_item_id=tax.id)
    tax.refresh_from_db()
    assert tax.status == "done" and tax.result


@pytest.mark.django_db
def test_an_application_citing_its_name_reservation_passes_and_uses_it(libraries, citizens):
    from rules.models import NameReservation
    from rules.services.reservations import name_reservation_create

    name = "深圳市澄明知行科技有限公司"
    held = name_reservation_create(name=name, authority="440305", reserved_by="founder").reservation
    serializer = ApplicationInputSerializer(data=application_document(name=name, name_reservation=held.reference))
    serializer.is_valid(raise_exception=True)
    application = application_submit(
        document=serializer.validated_data, presence_attested_by=trusted_channel()
    ).application
    for check in application.checks.all():
        check_run(check_id=check.id)
    application.refresh_from_db()
    assert application.status == "dispatching", [c.findings for c in application.checks.all()]

    department_call(work_item_id=application.work_items.get(department="market_regulation").id)

    assert NameReservation.objects.get(pk=held.pk).status == "used"


@pytest.mark.django_db
def test_the_departments_market_regulation_makes_ready_are_called_at_once_by_the_same_task(libraries, citizens):
    application = _dispatching_application()
    market = application.work_items.get(department="market_regulation")
    scheduled = last_message_id()
    exchanged = ExchangeRecord.objects.aggregate(last=Max("id"))["last"]  # the check stage's lookups

    department_call(work_item_id=market.id)

    # No task for the next round: the task that recorded the credit code called the other five.
    assert not OutboxMessage.objects.filter(
        id__gt=scheduled, task__in=(CALL_DEPARTMENT_TASK, CALL_DEPARTMENTS_TASK)
    ).exists()
    application.refresh_from_db()
    assert application.status == "completed" and application.credit_code
    items = list(application.work_items.all())
    assert {item.status for item in items} == {"done"} and {item.attempts for item in items} == {1}
    calls = ExchangeRecord.objects.filter(application_id=application.id, id__gt=exchanged)
    assert Counter(calls.values_list("department", flat=True)) == {item.department: 1 for item in items}
    # Each one went out with the credit code its upstream issued.
    tax = application.work_items.get(department="tax")
    assert tax.result and tax.started_at >= WorkItem.objects.get(pk=market.pk).finished_at

    # A stray message for a sibling calls nothing more.
    department_call(work_item_id=tax.id)
    assert calls.count() == len(items)


@pytest.mark.django_db
def test_a_department_failing_in_the_next_round_is_retried_alone_and_the_others_are_recorded(libraries, citizens):
    application = _dispatching_application()
    department_configure("bank", failure_rate=1.0)
    scheduled = last_message_id()

    department_call(work_item_id=application.work_items.get(department="market_regulation").id)

    statuses = dict(application.work_items.values_list("department", "status"))
    assert statuses.pop("bank") == "pending"
    assert set(statuses.values()) == {"done"}
    bank = application.work_items.get(department="bank")
    assert bank.attempts == 1 and bank.next_attempt_at is not None
    retry = list(OutboxMessage.objects.filter(id__gt=scheduled, task__in=(CALL_DEPARTMENT_TASK, CALL_DEPARTMENTS_TASK)))
    assert [(m.task, m.queue, m.kwargs) for m in retry] == [
        (CALL_DEPARTMENT_TASK, "dept.bank", {"work_item_id": bank.id})
    ]
    # Every exchange of the round is logged, the failed one too.
    logged = dict(ExchangeRecord.objects.filter(application_id=application.id).values_list("department", "outcome"))
    assert logged == {department: "ok" for department in statuses} | {"bank": "error"}

    department_configure("bank", failure_rate=0.0)
    department_call(work_item_id=bank.id)
    application.refresh_from_db()
    assert application.status == "completed"


class WorkerKilled(BaseException):
    """Stands in for the worker process dying: nothing in the pipeline catches it."""


@pytest.mark.django_db
def test_a_worker_killed_between_the_two_rounds_leaves_them_to_the_sweeper(libraries, citizens, monkeypatch):
    application = _dispatching_application()
    market = application.work_items.get(department="market_regulation")
    send = workflow.services._departments_send
    rounds: list[list[str]] = []

    def send_then_die(claimed: list[WorkItem]) -> dict:
        rounds.append(sorted(item.department for item in claimed))
        if len(rounds) == 2:
            raise WorkerKilled
        return send(claimed)

    monkeypatch.setattr(workflow.services, "_departments_send", send_then_die)
    with pytest.raises(WorkerKilled):
        department_call(work_item_id=market.id)
    monkeypatch.undo()

    downstream = application.work_items.exclude(pk=market.pk)
    assert rounds == [["market_regulation"], sorted(downstream.values_list("department", flat=True))]
    # Claimed in market regulation's finish, which committed: in progress, with no message.
    assert set(downstream.values_list("status", "attempts")) == {("in_progress", 1)}
    scheduled = last_message_id()
    exchanged = ExchangeRecord.objects.aggregate(last=Max("id"))["last"]
    downstream.update(updated_at=timezone.now() - timedelta(hours=1))

    workflow_sweep(stuck_after=timedelta(seconds=1))
    run_scheduled(after=scheduled)

    application.refresh_from_db()
    assert application.status == "completed"
    calls = ExchangeRecord.objects.filter(application_id=application.id, id__gt=exchanged)
    assert Counter(calls.values_list("department", flat=True)) == {
        department: 1 for department in downstream.values_list("department", flat=True)
    }


@pytest.mark.django_db
def test_a_re_driven_application_sends_its_ready_departments_one_joint_task(libraries, citizens):
    application = _dispatching_application()
    market = application.work_items.get(department="market_regulation")
    department_configure("tax", failure_rate=1.0)
    department_configure("bank", failure_rate=1.0)
    department_call(work_item_id=market.id)
    department_configure("tax", failure_rate=0.0)
    department_configure("bank", failure_rate=0.0)
    # Their retries were lost; the sweeper finds them pending and schedules them together.
    waiting = application.work_items.filter(department__in=("tax", "bank"))
    waiting.update(next_attempt_at=None, updated_at=timezone.now() - timedelta(hours=1))
    OutboxMessage.objects.all().delete()

    workflow_sweep(stuck_after=timedelta(seconds=1))

    together = OutboxMessage.objects.get(task=CALL_DEPARTMENTS_TASK)
    assert together.queue == DEPARTMENTS_QUEUE
    assert sorted(together.kwargs["work_item_ids"]) == sorted(waiting.values_list("id", flat=True))
    departments_call(**together.kwargs)
    application.refresh_from_db()
    assert application.status == "completed"


@pytest.mark.django_db
def test_a_credit_code_another_application_holds_fails_market_regulation_at_once(libraries, citizens):
    application = _dispatching_application()
    market = application.work_items.get(department="market_regulation")
    # An earlier attempt reached the department and its answer was lost; meanwhile the code it
    # issued went to another application (a department register reset and issuing codes again).
    payload = stored_payloads(keys=[market.idempotency_key])[market.idempotency_key]
    issued = department_send(
        department="market_regulation",
        payload=payload,
        idempotency_key=market.idempotency_key,
        application_id=application.id,
    ).result["credit_code"]
    holder = bare_application(status="completed")
    Application.objects.filter(pk=holder.pk).update(credit_code=issued)

    department_call(work_item_id=market.id)  # the department answers the repeated key the same way

    market.refresh_from_db()
    assert (market.status, market.attempts) == ("failed", 1)
    assert issued in market.error and "another application" in market.error
    application.refresh_from_db()
    assert application.status == "incomplete" and application.credit_code is None
    assert set(application.work_items.exclude(pk=market.pk).values_list("status", flat=True)) == {"failed"}
    assert Application.objects.get(pk=holder.pk).credit_code == issued
