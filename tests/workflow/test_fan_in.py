"""Fan-in in the database: the last check decides, exactly once, whatever the interleaving."""

import threading

import pytest
from django.db import connection, connections

from applications.models import Application, Check, CheckStatus
from audit.models import AuditEvent
from intake.services import application_submit
from tests.conftest import DISHONEST_PERSON, application_document, settle, trusted_channel
from workflow.models import OutboxMessage
from workflow.services import check_run, checks_run
from workflow.sweeper import workflow_sweep


def _submit(document: dict) -> Application:
    from intake.api.serializers import ApplicationInputSerializer

    serializer = ApplicationInputSerializer(data=document)
    serializer.is_valid(raise_exception=True)
    return application_submit(document=serializer.validated_data, presence_attested_by=trusted_channel()).application


def _decisions(application: Application) -> list[str]:
    events = AuditEvent.objects.filter(application_id=application.id, action="application.status_changed")
    return [e.data["to"] for e in events if e.data["from"] == "checking"]


@pytest.mark.django_db
def test_the_last_check_decides_and_a_repeated_task_changes_nothing(libraries, citizens):
    application = _submit(application_document(person=DISHONEST_PERSON))
    checks = list(application.checks.order_by("position"))

    for check in checks[:-1]:
        check_run(check_id=check.id)
        application.refresh_from_db()
        assert application.status == "checking"
    check_run(check_id=checks[-1].id)
    for check in checks:  # a redelivered message finds its check done and does nothing
        check_run(check_id=check.id)

    application.refresh_from_db()
    assert application.status == "manual_review"
    assert application.outcome == "review"
    assert _decisions(application) == ["manual_review"]
    assert all(c.attempts == 1 for c in application.checks.all())


@pytest.mark.django_db(transaction=True)
def test_concurrent_last_checks_decide_exactly_once(libraries, citizens):
    # A name no other test uses: running workers may still register this company with market
    # regulation after the test ends, and that must not refuse another test's company.
    application = _submit(application_document(name="深圳市磐石物流有限公司"))
    checks = list(application.checks.order_by("position"))
    for check in checks[:-2]:
        check_run(check_id=check.id)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(check_id: int) -> None:
        try:
            barrier.wait()
            check_run(check_id=check_id)
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c.id,)) for c in checks[-2:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    application.refresh_from_db()
    assert application.status == "dispatching"
    assert _decisions(application) == ["dispatching"]
    assert application.work_items.count() == 6
    settle(application.id)


@pytest.mark.django_db
def test_the_sweeper_re_drives_a_check_whose_worker_died(libraries, citizens):
    from datetime import timedelta

    from config.celery_app import app as celery_app

    application = _submit(application_document())
    stuck = application.checks.first()
    Check.objects.filter(pk=stuck.pk).update(status=CheckStatus.RUNNING, attempts=1)
    # Every message is lost: none in the outbox, none in the broker's queue.
    OutboxMessage.objects.all().delete()
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge("checks")

    report = workflow_sweep(stuck_after=timedelta(seconds=-1))

    assert report.checks == 4
    stuck.refresh_from_db()
    assert stuck.status == CheckStatus.PENDING
    assert OutboxMessage.objects.filter(task="workflow.run_check", kwargs={"check_id": stuck.pk}).exists()


@pytest.mark.django_db
def test_a_check_that_keeps_failing_ends_as_a_visible_error_and_goes_to_a_human(libraries, settings):
    # No citizens registry entry is needed: the registry is unreachable, so identity cannot run.
    settings.DEPARTMENTS_URL = "http://127.0.0.1:9/departments/"
    settings.WORKFLOW_MAX_ATTEMPTS = 2
    application = _submit(application_document())
    identity = application.checks.get(library="identity")
    for check in application.checks.exclude(pk=identity.pk):
        check_run(check_id=check.id)

    for _ in range(3):  # each call is one delivery of the retried task
        check_run(check_id=identity.id)

    identity.refresh_from_db()
    application.refresh_from_db()
    assert identity.status == CheckStatus.ERROR
    assert identity.attempts == 3
    assert application.status == "manual_review"


@pytest.mark.server
def test_the_suite_runs_on_postgresql_and_redis():
    from django.conf import settings

    from config.celery_app import app

    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1)


@pytest.mark.django_db
def test_one_task_runs_every_library_and_decides_once(libraries, citizens):
    application = _submit(application_document(person=DISHONEST_PERSON))

    checks_run(application_id=application.id)
    checks_run(application_id=application.id)  # a redelivery finds every check done

    application.refresh_from_db()
    assert application.status == "manual_review"
    assert _decisions(application) == ["manual_review"]
    assert sorted(application.checks.values_list("status", "attempts")) == [("done", 1)] * 4
    started = AuditEvent.objects.filter(application_id=application.id, action="check.started").count()
    finished = AuditEvent.objects.filter(application_id=application.id, action="check.finished").count()
    assert (started, finished) == (4, 4)


@pytest.mark.django_db
def test_in_one_task_a_failing_library_is_retried_alone_and_the_others_are_recorded(libraries, settings):
    # The citizens registry is unreachable, so identity cannot run; the other libraries can.
    settings.DEPARTMENTS_URL = "http://127.0.0.1:9/departments/"
    application = _submit(application_document())
    identity = application.checks.get(library="identity")

    checks_run(application_id=application.id)

    application.refresh_from_db()
    assert application.status == "checking"
    statuses = dict(application.checks.values_list("library", "status"))
    assert statuses == {"names": "done", "addresses": "done", "identity": "pending", "dishonest": "done"}
    retry = OutboxMessage.objects.get(task="workflow.run_check")
    assert retry.kwargs == {"check_id": identity.pk}
