"""The sequencer seals committed events in batches, off the hot path: appends from many processes
never wait for one another, concurrent sequencers never fork the chain, and a sequencer that dies
half-way through a batch leaves nothing half-sealed."""

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditChainHead, AuditEvent
from audit.sequencer import SEQUENCER_LOCK_KEY
from audit.services import audit_record, audit_seal, audit_seal_backlog, audit_verify
from tests.conftest import REPO_ROOT, database_url_for_workers, wait_for

APPEND_WORKER = REPO_ROOT / "tests" / "audit" / "append_worker.py"


def _subprocess_env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url_for_workers(),
        "ONEWINDOW_VAR_DIR": str(settings.VAR_DIR),
        "PYTHONPATH": f"{REPO_ROOT / 'platform'}{os.pathsep}{REPO_ROOT}",
    }


def _in_another_connection(work: Callable[[], object]) -> object:
    """Runs work in a thread, so on a database connection of its own, and hands back its result."""
    results: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the other connection never finished"
    if errors:
        raise errors[0]
    return results[0]


def _append_committed(**data: object) -> AuditEvent:
    """Appends in a transaction of its own that gives up on any lock after 5 s instead of waiting."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '5s'")
        return audit_record(action="work_item.done", **data)


def _execute(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else []


@pytest.mark.django_db(transaction=True)
def test_appends_from_several_processes_are_all_sealed_into_one_gap_free_chain():
    processes_count, per_process = 4, 40
    workers = [
        subprocess.Popen(
            [sys.executable, str(APPEND_WORKER), f"process-{index}", str(per_process)],
            cwd=REPO_ROOT,
            env=_subprocess_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(processes_count)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    # Two sequencers seal while the processes append, as two beat runs might overlap.
    appending = threading.Event()
    appending.set()
    sealer_errors: list[BaseException] = []

    def sealer(wait: bool) -> None:
        try:
            while appending.is_set():
                audit_seal(limit=25, wait=wait)
        except BaseException as error:  # reported below
            sealer_errors.append(error)
        finally:
            connections.close_all()

    sealers = [threading.Thread(target=sealer, args=(wait,)) for wait in (True, False)]
    for thread in sealers:
        thread.start()
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    try:
        for worker in workers:
            assert worker.wait(timeout=180) == 0
            assert worker.stdout.read().strip() == "done"
    finally:
        appending.clear()
        for thread in sealers:
            thread.join(timeout=120)

    assert not sealer_errors
    audit_seal_backlog()
    total = processes_count * per_process
    assert AuditEvent.objects.count() == total
    assert not AuditEvent.objects.unsealed().exists()
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == list(range(1, total + 1))
    for index in range(processes_count):
        steps = AuditEvent.objects.filter(data__worker=f"process-{index}").values_list("data__step", flat=True)
        assert sorted(steps) == list(range(per_process))
    report = audit_verify()
    assert report.intact, str(report)
    assert (report.count, report.unsealed) == (total, 0)
    assert AuditChainHead.objects.get().last_sequence == total


@pytest.mark.django_db
def test_the_beat_task_seals_the_backlog():
    from audit.tasks import seal

    for step in range(3):
        audit_record(action="work_item.done", step=step)

    assert seal() == 3
    assert seal() == 0
    assert audit_verify().count == 3


def test_the_sequencer_runs_on_celery_beat_on_the_pipeline_queue():
    from config.celery_app import app

    entry = settings.CELERY_BEAT_SCHEDULE["audit-seal"]
    assert (entry["task"], entry["schedule"]) == ("audit.seal", settings.AUDIT_SEAL_SECONDS)
    app.loader.import_default_modules()
    assert "audit.seal" in app.tasks
    assert app.amqp.router.route({}, "audit.seal")["queue"].name == "pipeline"


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_an_append_does_not_wait_for_another_transactions_uncommitted_append():
    with transaction.atomic():
        open_event = audit_record(action="application.submitted")
        # Until appends stopped locking the chain head, this one waited for the open transaction
        # and failed on its lock timeout.
        other = _in_another_connection(lambda: _append_committed(step="other"))
        assert _in_another_connection(lambda: AuditEvent.objects.filter(pk=other.pk).exists())
        assert not _in_another_connection(lambda: AuditEvent.objects.filter(pk=open_event.pk).exists())

    assert audit_seal() == 2
    assert audit_verify().count == 2


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_appends_go_on_while_a_sequencer_holds_its_lock_and_a_second_sequencer_gives_up():
    audit_record(action="application.submitted")
    audit_seal()  # a flushed database has no chain head yet; this seeds it
    audit_record(action="application.submitted")
    with transaction.atomic():
        # What a sequencer in the middle of a batch holds.
        _execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCER_LOCK_KEY])
        _execute("SELECT last_sequence FROM audit_auditchainhead FOR UPDATE")

        _in_another_connection(lambda: _append_committed(step="during sealing"))
        assert _in_another_connection(lambda: audit_seal(wait=False)) == 0

    assert audit_seal() == 2
    report = audit_verify()
    assert (report.intact, report.count, report.unsealed) == (True, 3, 0)


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_an_event_that_commits_after_a_newer_one_was_sealed_lands_in_the_next_batch():
    with transaction.atomic():
        early = audit_record(action="application.submitted", step="inserted first, committed last")
        late = _in_another_connection(lambda: _append_committed(step="inserted last, committed first"))
        assert _in_another_connection(audit_seal) == 1
    assert early.pk < late.pk

    assert audit_seal() == 1
    assert AuditEvent.objects.get(pk=late.pk).sequence == 1
    assert AuditEvent.objects.get(pk=early.pk).sequence == 2
    report = audit_verify()
    assert (report.intact, report.count) == (True, 2)


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_sequencer_killed_in_the_middle_of_a_batch_leaves_nothing_half_sealed():
    for step in range(3):
        audit_record(action="work_item.done", step=step)
    audit_seal()
    batch = [audit_record(action="work_item.done", step=step) for step in range(200)]
    in_the_middle = batch[120]

    with transaction.atomic():
        # The sequencer fills rows in id order; this lock stops it at the 121st, with the first
        # 120 already filled in its open transaction.
        _execute("SELECT id FROM audit_auditevent WHERE id = %s FOR UPDATE", [in_the_middle.pk])
        (my_pid,), *_ = _execute("SELECT pg_backend_pid()")
        sequencer = subprocess.Popen(
            [sys.executable, "manage.py", "seal_audit"],
            cwd=REPO_ROOT,
            env=_subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

        def sequencer_blocked_by_me() -> int | None:
            _execute("SELECT pg_stat_clear_snapshot()")
            rows = _execute("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [my_pid])
            return rows[0][0] if rows else None

        try:
            sequencer_pid = wait_for(sequencer_blocked_by_me, timeout=120)
        finally:
            sequencer.send_signal(signal.SIGKILL)
            sequencer.communicate(timeout=60)

    def sequencer_backend_gone() -> bool:
        _execute("SELECT pg_stat_clear_snapshot()")
        return not _execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [sequencer_pid])

    wait_for(sequencer_backend_gone, timeout=60)
    assert sequencer.returncode == -signal.SIGKILL
    assert AuditEvent.objects.unsealed().count() == 200
    assert AuditChainHead.objects.get().last_sequence == 3
    assert audit_verify().intact

    assert audit_seal_backlog() == 200
    assert [e.pk for e in AuditEvent.objects.filter(sequence__gt=3)] == [e.pk for e in batch]
    report = audit_verify()
    assert report.intact, str(report)
    assert (report.count, report.unsealed) == (203, 0)


@pytest.mark.server
@pytest.mark.django_db
def test_the_sequencers_and_the_backlog_reports_queries_never_read_the_whole_history():
    AuditEvent.objects.bulk_create([AuditEvent(action="work_item.done", data={"step": i}) for i in range(3000)])
    audit_seal()
    for step in range(5):
        audit_record(action="work_item.done", step=step)
    _execute("ANALYZE audit_auditevent")

    with CaptureQueriesContext(connection) as captured:
        assert audit_seal() == 5
        audit_record(action="work_item.done", step="after")
        assert audit_verify().unsealed == 1
    backlog_queries = [q["sql"] for q in captured if "IS NULL" in q["sql"] and q["sql"].startswith("SELECT")]

    # what is left to seal, the batch, the backlog count and age
    assert len(backlog_queries) == 3, backlog_queries
    for sql in backlog_queries:
        plan = "\n".join(row[0] for row in _execute(f"EXPLAIN {sql}"))
        assert "Seq Scan" not in plan, plan
        assert "Index" in plan, plan
