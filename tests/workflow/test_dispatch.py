"""The dispatch DAG holds under re-drives: no department is called before its upstream is done."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Application, WorkItem
from intake.api.serializers import ApplicationInputSerializer
from intake.services import application_submit
from tests.conftest import application_document, trusted_channel
from workflow.models import OutboxMessage
from workflow.services import CALL_DEPARTMENT_TASK, check_run, department_call
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
    items = dict(WorkItem.objects.filter(application=application).values_list("id", "department"))
    messages = OutboxMessage.objects.filter(task=CALL_DEPARTMENT_TASK)
    return sorted(items[m.kwargs["work_item_id"]] for m in messages if m.kwargs["work_item_id"] in items)


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
def test_each_department_is_scheduled_once_when_it_becomes_ready(libraries, citizens):
    application = _dispatching_application()
    market = application.work_items.get(department="market_regulation")
    department_call(work_item_id=market.id)
    downstream = sorted(application.work_items.exclude(pk=market.pk).values_list("department", flat=True))
    assert _department_messages(application) == sorted(["market_regulation", *downstream])

    # A sibling finishing schedules nothing more: the others were scheduled when market
    # regulation finished, and a second message would be a second call.
    department_call(work_item_id=application.work_items.get(department="tax").id)

    assert _department_messages(application) == sorted(["market_regulation", *downstream])
