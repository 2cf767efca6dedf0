"""A transition batch: the status changes of one transaction share their audit insert, their
listener call and their change notice, and nothing of them survives a rollback. Several rows
moved together (`transition_each`) are saved in one UPDATE."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from applications import transitions
from applications.models import Check
from applications.states import IllegalTransition
from applications.transitions import Change, transition, transition_batch, transition_each
from audit.models import AuditEvent
from audit.services import audit_batch, audit_record
from tests.conftest import bare_application


def _audit_inserts(queries: CaptureQueriesContext) -> int:
    return _statements(queries, 'INSERT INTO "audit_auditevent"')


def _statements(queries: CaptureQueriesContext, fragment: str) -> int:
    return sum(1 for query in queries.captured_queries if fragment in query["sql"])


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> list[list[Change]]:
    """Every listener call, recorded (on top of the apps' own listeners)."""
    calls: list[list[Change]] = []
    monkeypatch.setattr(transitions, "_listeners", [*transitions._listeners, lambda changes: calls.append(changes)])
    return calls


@pytest.mark.django_db
def test_a_batch_writes_every_audit_event_in_one_insert_and_calls_each_listener_once(heard):
    application = bare_application(checks=3)
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), transition_batch():
        transition(application, "checking")
        for check in application.checks.all():
            transition(check, "running", action="check.started", library=check.library)

    assert _audit_inserts(queries) == 1
    actions = list(
        AuditEvent.objects.filter(application_id=application.id).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["application.status_changed", "check.started", "check.started", "check.started"]
    assert len(heard) == 1
    assert [(type(change.row).__name__, change.source, change.target) for change in heard[0]] == [
        ("Application", "submitted", "checking"),
        ("Check", "pending", "running"),
        ("Check", "pending", "running"),
        ("Check", "pending", "running"),
    ]


@pytest.mark.django_db
def test_without_a_batch_each_change_is_announced_on_its_own(heard):
    application = bare_application(checks=2)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for check in application.checks.all():
            transition(check, "running")

    assert _audit_inserts(queries) == 2
    assert [len(changes) for changes in heard] == [1, 1]


@pytest.mark.django_db
def test_an_exception_leaving_the_batch_records_and_announces_nothing(heard):
    application = bare_application(checks=2)
    with pytest.raises(RuntimeError), transaction.atomic(), transition_batch():
        for check in application.checks.all():
            transition(check, "running")
        raise RuntimeError("the decision failed")

    assert not AuditEvent.objects.filter(application_id=application.id).exists()
    assert heard == []
    assert set(Check.objects.filter(application=application).values_list("status", flat=True)) == {"pending"}


@pytest.mark.django_db
def test_nested_batches_join_the_outermost(heard):
    application = bare_application(checks=2)
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), transition_batch():
        first, second = application.checks.all()
        transition(first, "running")
        with transition_batch():
            transition(second, "running")
        assert not AuditEvent.objects.filter(application_id=application.id).exists()  # not yet: at the end

    assert _audit_inserts(queries) == 1
    assert AuditEvent.objects.filter(application_id=application.id).count() == 2
    assert len(heard) == 1 and len(heard[0]) == 2


@pytest.mark.django_db(transaction=True)
def test_an_audit_batch_needs_an_open_transaction():
    with pytest.raises(RuntimeError, match="open transaction"), audit_batch():
        audit_record(action="application.submitted")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_transition_each_saves_every_row_in_one_update_with_its_own_values_and_event(heard):
    application = bare_application(checks=4)
    checks = list(application.checks.order_by("pk"))
    for number, check in enumerate(checks):
        check.attempts = number + 1
    before = {check.pk: check.updated_at for check in checks}
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), transition_batch():
        transition_each(
            checks,
            "running",
            fields=["attempts"],
            action="check.started",
            audit_of=lambda check: {"library": check.library, "attempt": check.attempts},
        )

    assert _statements(queries, 'UPDATE "workflow_check"') == 1
    stored = list(Check.objects.filter(application=application).order_by("pk"))
    assert [(check.status, check.attempts) for check in stored] == [("running", n) for n in (1, 2, 3, 4)]
    assert all(check.updated_at > before[check.pk] for check in stored)
    events = AuditEvent.objects.filter(application_id=application.id, action="check.started").order_by("id")
    assert [(event.data["library"], event.data["attempt"]) for event in events] == [
        ("lib0", 1),
        ("lib1", 2),
        ("lib2", 3),
        ("lib3", 4),
    ]
    assert len(heard) == 1 and [change.row.pk for change in heard[0]] == [check.pk for check in checks]


@pytest.mark.django_db
def test_transition_each_refuses_an_illegal_move_before_saving_any_row(heard):
    application = bare_application(checks=3)
    checks = list(application.checks.order_by("pk"))
    Check.objects.filter(pk=checks[1].pk).update(status="done")
    checks[1].status = "done"
    with pytest.raises(IllegalTransition), transaction.atomic():
        transition_each(checks, "running")

    assert list(Check.objects.filter(application=application).order_by("pk").values_list("status", flat=True)) == [
        "pending",
        "done",
        "pending",
    ]
    assert [check.status for check in checks] == ["pending", "done", "pending"]
    assert not AuditEvent.objects.filter(application_id=application.id).exists()
    assert heard == []


@pytest.mark.django_db
def test_a_single_transition_saves_its_row_in_one_update_and_records_its_event():
    application = bare_application(checks=1)
    check = application.checks.get()
    before = check.updated_at
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        transition(check, "running", fields=["attempts"])

    assert _statements(queries, 'UPDATE "workflow_check"') == 1
    check.refresh_from_db()
    assert check.status == "running" and check.updated_at > before
    assert AuditEvent.objects.filter(action="check.status_changed", data__to="running").count() == 1
