"""The audit log is a hash chain: every sealed event links to the one before, and any edit,
deletion or reordering made behind the ORM's back is reported at the first event that no longer
holds. Appends are unsealed until the sequencer seals them; verify reports that backlog."""

import json
import re
import threading
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from audit.chain import GENESIS_HASH
from audit.models import AuditChainHead, AuditEvent, AuditLogIsAppendOnly
from audit.services import (
    BROKEN_LINK,
    HASH_MISMATCH,
    HEAD_MISMATCH,
    MISSING_SEQUENCE,
    audit_record,
    audit_seal,
    audit_seal_backlog,
    audit_verify,
)

pytestmark = pytest.mark.django_db

APPLICATION_ID = uuid.UUID("3f0c9a52-8a8e-4d63-9d5e-1b7c2f9a0e11")


def _append_unsealed(count: int) -> list[AuditEvent]:
    return [
        audit_record(
            action="application.status_changed",
            application_id=APPLICATION_ID,
            **{"from": "checking", "to": "dispatching", "step": index},
        )
        for index in range(count)
    ]


def _append(count: int) -> list[AuditEvent]:
    """Appends and seals: the events as the chain holds them."""
    events = _append_unsealed(count)
    assert audit_seal_backlog() == count
    return list(AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("sequence"))


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _json_placeholder() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def _verify_command(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


def test_an_append_is_unsealed_until_the_sequencer_seals_it():
    event = audit_record(action="application.submitted", application_id=APPLICATION_ID)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.sequence, stored.previous_hash, stored.hash) == (None, None, None)
    assert not stored.is_sealed
    assert AuditChainHead.objects.filter(last_sequence__gt=0).count() == 0
    assert audit_seal() == 1
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.sequence == 1
    assert stored.is_sealed


def test_appends_form_a_gap_free_linked_chain():
    events = _append(3)

    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].previous_hash == GENESIS_HASH
    assert events[1].previous_hash == events[0].hash
    assert events[2].previous_hash == events[1].hash
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (3, events[2].hash)
    assert audit_verify().intact
    assert _verify_command() == (0, "audit chain intact: 3 events sealed; 0 awaiting sealing\n")


def test_an_empty_log_is_intact():
    assert _verify_command() == (0, "audit chain intact: 0 events sealed; 0 awaiting sealing\n")


def test_verify_reports_the_events_awaiting_sealing_and_the_age_of_the_oldest():
    _append(2)
    # Written a while ago and not sealed yet (as if the sequencer had been down).
    AuditEvent.objects.create(created_at=timezone.now() - timedelta(seconds=90), action="application.submitted")
    _append_unsealed(2)

    report = audit_verify()

    assert report.intact
    assert (report.count, report.unsealed) == (2, 3)
    assert report.oldest_unsealed_age >= timedelta(seconds=90)
    status, output = _verify_command()
    assert status == 0
    assert re.fullmatch(r"audit chain intact: 2 events sealed; 3 awaiting sealing, oldest 9\d\.\d s\n", output)


def test_verify_can_seal_the_backlog_first():
    _append(1)
    _append_unsealed(3)

    assert _verify_command("--seal") == (
        0,
        "sealed 3 events\naudit chain intact: 4 events sealed; 0 awaiting sealing\n",
    )


def test_sealing_takes_batches_in_insertion_order_and_each_event_once():
    appended = _append_unsealed(5)

    assert audit_seal(limit=2) == 2
    assert [e.pk for e in AuditEvent.objects.sealed().order_by("sequence")] == [e.pk for e in appended[:2]]
    first_hashes = list(AuditEvent.objects.sealed().values_list("hash", flat=True))
    out = StringIO()
    call_command("seal_audit", stdout=out)
    assert out.getvalue() == "sealed 3 events\n"
    assert audit_seal() == 0
    call_command("seal_audit", stdout=out)
    assert out.getvalue().endswith("sealed 0 events\n")

    sealed = list(AuditEvent.objects.order_by("sequence"))
    assert [e.pk for e in sealed] == [e.pk for e in appended]
    assert [e.sequence for e in sealed] == [1, 2, 3, 4, 5]
    assert [e.hash for e in sealed[:2]] == first_hashes
    assert AuditChainHead.objects.get().last_sequence == 5
    assert audit_verify().intact


def test_seal_audit_refuses_a_limit_below_one():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seal_audit", "--limit", "0")


def test_events_are_listed_in_chain_order_then_the_unsealed_ones_in_insertion_order():
    sealed = _append(2)
    unsealed = _append_unsealed(2)

    assert [e.pk for e in AuditEvent.objects.all()] == [e.pk for e in sealed + unsealed]


def test_nothing_to_seal_costs_one_query(django_assert_num_queries):
    _append(3)

    with django_assert_num_queries(1):
        assert audit_seal() == 0


def test_a_batch_that_fails_half_way_seals_nothing_and_the_next_run_finishes_the_job():
    _append(2)
    unsealed = _append_unsealed(5)
    # A sealed row squatting on #5 (as a forged insert would): the batch fills #3 and #4, then
    # its UPDATE for #5 violates the unique sequence and the whole batch must roll back.
    _execute(
        "INSERT INTO audit_auditevent (sequence, created_at, actor, action, data, previous_hash, hash) "
        f"VALUES (5, %s, 'system', 'forged', {_json_placeholder()}, %s, %s)",
        [timezone.now(), "{}", "a" * 64, "b" * 64],
    )

    with pytest.raises(IntegrityError):
        audit_seal()

    assert AuditEvent.objects.unsealed().count() == 5
    assert not AuditEvent.objects.filter(sequence__in=[3, 4]).exists()
    head = AuditChainHead.objects.get()
    assert head.last_sequence == 2
    _execute("DELETE FROM audit_auditevent WHERE action = 'forged'", [])
    assert audit_seal() == 5
    assert [e.pk for e in AuditEvent.objects.filter(sequence__gt=2)] == [e.pk for e in unsealed]
    report = audit_verify()
    assert report.intact, str(report)
    assert (report.count, report.unsealed) == (7, 0)


def test_the_orm_refuses_to_change_or_remove_events():
    event, *_ = _append(2)

    event.action = "something.else"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="something.else")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    unsealed = audit_record(action="application.submitted")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=unsealed.pk).update(sequence=3, previous_hash="0" * 64, hash="1" * 64)
    with pytest.raises(AuditLogIsAppendOnly):
        unsealed.delete()
    assert audit_verify().intact


@pytest.mark.parametrize("sequence", [1, 3, 5])
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", '{"from": "checking", "to": "rejected", "step": 0}'),
        ("actor", "user:mallory"),
        ("action", "review.decided"),
        ("application_id", None),
        ("created_at", "2020-01-01 00:00:00"),
    ],
)
def test_editing_any_column_of_any_row_is_detected_at_that_row(sequence, column, value):
    _append(5)
    placeholder = _json_placeholder() if column == "data" else "%s"
    _execute(f"UPDATE audit_auditevent SET {column} = {placeholder} WHERE sequence = %s", [value, sequence])

    report = audit_verify()

    assert (report.broken_sequence, report.problem, report.count) == (sequence, HASH_MISMATCH, sequence - 1)
    status, output = _verify_command()
    assert status == 1
    assert f"broken at sequence {sequence}: hash mismatch" in output


def test_an_edit_that_also_rewrites_the_rows_hash_breaks_the_next_link():
    events = _append(4)
    forged = AuditEvent.objects.get(sequence=2)
    from audit.chain import event_hash

    forged_data = {**forged.data, "to": "rejected"}
    forged_hash = event_hash(
        sequence=2,
        created_at=forged.created_at,
        application_id=forged.application_id,
        actor=forged.actor,
        action=forged.action,
        data=forged_data,
        previous_hash=events[0].hash,
    )
    _execute(
        f"UPDATE audit_auditevent SET data = {_json_placeholder()}, hash = %s WHERE sequence = 2",
        ['{"from": "checking", "to": "rejected", "step": 1}', forged_hash],
    )

    report = audit_verify()

    assert (report.broken_sequence, report.problem) == (3, BROKEN_LINK)


def test_changing_a_previous_hash_is_detected():
    _append(3)
    _execute("UPDATE audit_auditevent SET previous_hash = %s WHERE sequence = 2", ["f" * 64])

    report = audit_verify()

    assert report.broken_sequence == 2
    assert report.problem in (HASH_MISMATCH, BROKEN_LINK)


@pytest.mark.parametrize("deleted", [1, 3])
def test_deleting_a_row_is_detected_as_a_missing_sequence(deleted):
    _append(5)
    _execute("DELETE FROM audit_auditevent WHERE sequence = %s", [deleted])

    report = audit_verify()

    assert (report.broken_sequence, report.problem) == (deleted, MISSING_SEQUENCE)
    status, output = _verify_command()
    assert status == 1
    assert f"broken at sequence {deleted}: missing sequence" in output


def test_deleting_the_newest_rows_is_detected_through_the_chain_head():
    _append(5)
    _execute("DELETE FROM audit_auditevent WHERE sequence >= %s", [4])

    report = audit_verify()

    assert (report.broken_sequence, report.problem, report.count) == (4, MISSING_SEQUENCE, 3)


def test_deleting_every_row_is_detected():
    _append(2)
    _execute("DELETE FROM audit_auditevent", [])

    assert (audit_verify().broken_sequence, audit_verify().problem) == (1, MISSING_SEQUENCE)


def test_removing_the_chain_head_is_detected():
    _append(2)
    _execute("DELETE FROM audit_auditchainhead", [])

    assert audit_verify().problem == HEAD_MISMATCH


def test_swapping_two_events_is_detected():
    _append(4)
    # Through a free number: sequence is unique.
    _execute("UPDATE audit_auditevent SET sequence = 100 WHERE sequence = 2", [])
    _execute("UPDATE audit_auditevent SET sequence = 2 WHERE sequence = 3", [])
    _execute("UPDATE audit_auditevent SET sequence = 3 WHERE sequence = 100", [])

    report = audit_verify()

    assert (report.broken_sequence, report.problem) == (2, HASH_MISMATCH)


def test_swapping_the_content_of_two_events_is_detected():
    events = _append(3)
    first, second = events[0], events[1]
    placeholder = _json_placeholder()
    for target, source in ((first, second), (second, first)):
        _execute(
            f"UPDATE audit_auditevent SET data = {placeholder} WHERE id = %s",
            [json.dumps(source.data), target.pk],
        )

    assert (audit_verify().broken_sequence, audit_verify().problem) == (1, HASH_MISMATCH)


def test_stripping_the_seal_off_an_event_leaves_a_gap():
    _append(3)
    _execute("UPDATE audit_auditevent SET sequence = NULL, previous_hash = NULL, hash = NULL WHERE sequence = 2", [])

    report = audit_verify()

    assert (report.broken_sequence, report.problem, report.unsealed) == (2, MISSING_SEQUENCE, 1)
    # Sealing it again puts it at the end; the hole it left stays visible.
    audit_seal()
    assert (audit_verify().broken_sequence, audit_verify().problem) == (2, MISSING_SEQUENCE)


def test_renumbering_rows_to_close_a_gap_is_detected():
    _append(4)
    _execute("DELETE FROM audit_auditevent WHERE sequence = 4", [])
    _execute("UPDATE audit_auditchainhead SET last_sequence = 3", [])

    report = audit_verify()

    assert (report.broken_sequence, report.problem) == (3, HEAD_MISMATCH)


def test_an_event_rolled_back_with_its_transaction_leaves_no_gap():
    _append(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="application.submitted", application_id=APPLICATION_ID)
        raise RuntimeError("the caller's change failed")
    event = audit_record(action="application.submitted", application_id=APPLICATION_ID)
    audit_seal()

    assert AuditEvent.objects.get(pk=event.pk).sequence == 2
    assert AuditEvent.objects.count() == 2
    assert audit_verify().intact


def test_values_json_cannot_keep_are_stored_as_they_are_hashed():
    other = uuid.uuid4()
    event = audit_record(
        action="exchange.sent", application_id=str(APPLICATION_ID), fields=("company.name",), other=other
    )
    audit_seal()
    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.data == {"fields": ["company.name"], "other": str(other)}
    assert stored.application_id == APPLICATION_ID
    assert stored.is_sealed
    assert audit_verify().intact


def test_a_flushed_log_starts_again_without_a_head_row():
    AuditChainHead.objects.all().delete()
    event = audit_record(action="application.submitted")

    assert audit_seal() == 1
    assert AuditEvent.objects.get(pk=event.pk).sequence == 1
    assert AuditChainHead.objects.get().last_sequence == 1
    assert audit_verify().intact


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_many_threads_form_one_valid_chain():
    threads_count, per_thread = 6, 8
    errors: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def worker(index: int) -> None:
        try:
            start.wait()
            for step in range(per_thread):
                # Each append in its own transaction, as the pipeline's tasks do.
                with transaction.atomic():
                    audit_record(action="work_item.done", department=f"thread-{index}", step=step)
        except BaseException as error:  # reported to the main thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    audit_seal_backlog()
    sequences = list(AuditEvent.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, threads_count * per_thread + 1))
    report = audit_verify()
    assert report.intact, str(report)
    assert report.count == threads_count * per_thread
