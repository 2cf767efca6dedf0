"""config/bulk.py: one INSERT or one UPDATE for several rows, prepared as the ORM prepares them."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from applications.models import Application, Check, Person, PersonRole
from audit.models import AuditEvent
from config.bulk import rows_insert, rows_update
from exchange.models import SentRequest
from tests.conftest import bare_application
from workflow.models import OutboxMessage


def _statements(queries: CaptureQueriesContext, fragment: str) -> int:
    return sum(1 for query in queries.captured_queries if fragment in query["sql"])


@pytest.mark.django_db
def test_rows_insert_writes_several_rows_in_one_insert_and_sets_their_generated_keys():
    application = bare_application()
    checks = [Check(application=application, library=f"lib{i}", position=i) for i in range(4)]
    with CaptureQueriesContext(connection) as queries:
        rows_insert(checks)

    assert _statements(queries, 'INSERT INTO "workflow_check"') == 1
    assert all(check.pk is not None and not check._state.adding for check in checks)
    stored = {check.pk: (check.library, check.position, check.status) for check in Check.objects.all()}
    # Each row got the key the database gave its own VALUES entry, not a neighbour's.
    assert stored == {check.pk: (check.library, check.position, "pending") for check in checks}


@pytest.mark.django_db
def test_rows_insert_fills_auto_now_add_and_json_as_bulk_create_does():
    rows = [OutboxMessage(task="t", queue="q", kwargs={"ids": [1, 2], "名": "值"}, available_at="2026-01-01T00:00Z")]
    rows_insert(rows)

    stored = OutboxMessage.objects.get(pk=rows[0].pk)
    assert stored.created_at is not None and stored.created_at == rows[0].created_at
    assert stored.kwargs == {"ids": [1, 2], "名": "值"}
    assert stored.publish_attempts == 0


@pytest.mark.django_db
def test_rows_insert_keeps_a_client_side_key_and_encrypts_personal_data():
    application = Application(
        company_name="深圳市晨曦科技有限公司", address="a", business_scope="b", registered_capital=1
    )
    chosen = application.pk
    rows_insert([application])
    person = Person(
        application=application, role=PersonRole.LEGAL_REPRESENTATIVE, name="张伟", id_number="110101199003074258"
    )
    rows_insert([person])

    assert Application.objects.get().pk == chosen
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM intake_person WHERE id = %s", [person.pk])
        (raw,) = cursor.fetchone()
    assert "110101199003074258" not in raw  # the field's own preparation ran: stored encrypted
    assert Person.objects.get().id_number == "110101199003074258"
    assert Person.objects.filter(id_number_index=person.id_number_index).count() == 1 and person.id_number_index


@pytest.mark.django_db
def test_rows_insert_refuses_mixed_models_and_rows_with_a_generated_key_already():
    application = bare_application(checks=1)
    with pytest.raises(TypeError, match="one model"):
        rows_insert([Check(application=application, library="x", position=1), application])
    with pytest.raises(ValueError, match="already has a primary key"):
        rows_insert([Check(pk=99_999, application=application, library="x", position=1)])
    assert Check.objects.count() == 1


@pytest.mark.django_db
def test_rows_insert_stores_nothing_when_one_row_breaks_a_constraint():
    application = bare_application(checks=1)  # holds library lib0
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert([Check(application=application, library=lib, position=9) for lib in ("new", "lib0")])
    assert list(Check.objects.values_list("library", flat=True)) == ["lib0"]


@pytest.mark.django_db
def test_rows_insert_skipping_conflicts_keeps_the_stored_row_and_counts_the_new_ones():
    rows_insert([SentRequest(idempotency_key="app:tax", department="tax", payload='{"v": 1}')])
    again = [
        SentRequest(idempotency_key=key, department=key.split(":")[1], payload='{"v": 2}')
        for key in ("app:tax", "app:bank")
    ]
    with CaptureQueriesContext(connection) as queries:
        inserted = rows_insert(again, skip_conflicts=True)

    assert inserted == 1
    assert _statements(queries, 'INTO "exchange_sentrequest"') == 1
    stored = {row.idempotency_key: row.payload for row in SentRequest.objects.all()}
    assert stored == {"app:tax": '{"v": 1}', "app:bank": '{"v": 2}'}
    # Which row went in is not known, so neither gets a key (as bulk_create(ignore_conflicts=True)).
    assert [row.pk for row in again] == [None, None]
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM exchange_sentrequest WHERE idempotency_key = 'app:bank'")
        assert '"v"' not in cursor.fetchone()[0]  # encrypted at rest (base64 has no quotes)


@pytest.mark.django_db
def test_rows_insert_of_audit_events_leaves_them_unsealed():
    events = [
        AuditEvent(application_id=uuid.uuid4(), actor="system", action="test.event", data={"n": n}) for n in (1, 2)
    ]
    rows_insert(events)
    assert [e.data["n"] for e in AuditEvent.objects.unsealed().order_by("id")] == [1, 2]


@pytest.mark.django_db
def test_rows_update_saves_counted_fields_of_several_rows_in_one_update():
    application = bare_application(checks=3)
    checks = list(application.checks.order_by("pk"))
    for check in checks:
        check.attempts = 7
    with CaptureQueriesContext(connection) as queries:
        rows_update(checks, ["attempts"])

    assert _statements(queries, 'UPDATE "workflow_check"') == 1
    assert set(Check.objects.filter(application=application).values_list("status", "attempts")) == {("pending", 7)}
    with pytest.raises(TypeError):
        rows_update([application, checks[0]], ["updated_at"])


@pytest.mark.django_db
def test_rows_update_refuses_a_row_that_was_never_saved():
    application = bare_application(checks=1)
    unsaved = Check(application=application, library="extra", position=9)
    with pytest.raises(ValueError, match="no primary key"):
        rows_update([*application.checks.all(), unsaved], ["attempts"])
    assert not Check.objects.filter(application=application, library="extra").exists()
