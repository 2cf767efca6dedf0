"""The pipeline: check stage, decision, dispatch DAG, completion.

Every task works in short transactions and never holds a lock across a rule evaluation or an
HTTP call:
- a *claim* locks only its own row (check or work item), counts the attempt and marks it
  running;
- the work runs with no transaction open;
- a *finish* locks the application row, then its own row, records the result and, being a
  decision point, checks whether it was the last (fan-in in the database, not a Celery chord).
  A department finish also claims, under the same locks, the departments its answer made
  ready, and its task calls them next.

Locks are always taken application first, then child rows, so finishes never deadlock; a
claim takes only a child row and nothing after it. Every status change goes through
`applications.transitions.transition`, which enforces the declared lifecycle.
"""

import logging
import random
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, QuerySet
from django.utils import timezone

from applications.models import (
    Application,
    ApplicationStatus,
    Check,
    CheckOutcome,
    CheckStatus,
    Outcome,
    WorkItem,
    WorkItemStatus,
)
from applications.selectors import application_document
from applications.transitions import transition, transition_batch, transition_each
from audit.services import audit_record
from config.bulk import rows_insert, rows_update
from exchange.circuit import circuits_allow, circuits_record
from exchange.ports import HttpCitizenLookup
from exchange.services import (
    DepartmentAnswer,
    DepartmentRequestRefused,
    DepartmentUnavailable,
    department_send,
    exchange_records,
    payloads_store,
    stored_payloads,
)
from rules import engine
from rules.selectors import publications_pinned
from rules.services import enterprise_register
from rules.services.reservations import name_reservation_use
from workflow.outbox import TaskMessage, outbox_enqueue_many

logger = logging.getLogger(__name__)

RUN_CHECK_TASK = "workflow.run_check"
RUN_CHECKS_TASK = "workflow.run_checks"
CALL_DEPARTMENT_TASK = "workflow.call_department"
CALL_DEPARTMENTS_TASK = "workflow.call_departments"
CHECKS_QUEUE = "checks"
UPSTREAM_FAILED = "上游部门办理失败 / an upstream department failed"
CREDIT_CODE_TAKEN = (
    "市场监管部门签发的统一社会信用代码 {code} 已属于另一申请 / "
    "the credit code {code} that market regulation issued already belongs to another application"
)

# The dispatch DAG: market regulation issues the credit code every other department needs.
DEPENDENCIES: dict[str, tuple[str, ...]] = {"market_regulation": ()}
DEFAULT_DEPENDENCIES: tuple[str, ...] = ("market_regulation",)


def department_queue(department: str) -> str:
    # One queue per department for single calls (retries, re-drives), so a department that keeps
    # failing only slows its own queue.
    return f"dept.{department}"


# The calls of several departments that became ready together (`departments_call`).
DEPARTMENTS_QUEUE = "dept.together"


def department_queues() -> set[str]:
    """Every queue a department call can wait in: the calls worker consumes them all."""
    return {department_queue(code) for code in settings.DEPARTMENT_CODES} | {DEPARTMENTS_QUEUE}


def department_dependencies(department: str) -> tuple[str, ...]:
    return DEPENDENCIES.get(department, DEFAULT_DEPENDENCIES)


def retry_delay_seconds(*, attempt: int) -> float:
    """Exponential backoff with full jitter, capped at a minute."""
    ceiling = min(60.0, settings.WORKFLOW_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


def check_message(check_id: int, *, delay_seconds: float = 0.0) -> TaskMessage:
    return TaskMessage(
        task=RUN_CHECK_TASK, queue=CHECKS_QUEUE, kwargs={"check_id": check_id}, delay_seconds=delay_seconds
    )


def checks_message(application_id: object) -> TaskMessage:
    return TaskMessage(task=RUN_CHECKS_TASK, queue=CHECKS_QUEUE, kwargs={"application_id": str(application_id)})


def departments_message(items: list[WorkItem]) -> TaskMessage:
    """One task for the items of one application that became ready together."""
    return TaskMessage(
        task=CALL_DEPARTMENTS_TASK, queue=DEPARTMENTS_QUEUE, kwargs={"work_item_ids": [item.pk for item in items]}
    )


def department_message(item: WorkItem, *, delay_seconds: float = 0.0) -> TaskMessage:
    return TaskMessage(
        task=CALL_DEPARTMENT_TASK,
        queue=department_queue(item.department),
        kwargs={"work_item_id": item.pk},
        delay_seconds=delay_seconds,
    )


def _lock_application(application_id: object) -> Application:
    return Application.objects.select_for_update().get(pk=application_id)


# --- Start --------------------------------------------------------------------------------------


def pipeline_start(*, application: Application, departments: list[str]) -> None:
    """Creates the check and work-item rows and schedules the checks; runs in the submit transaction."""
    libraries = engine.library_codes()
    rows_insert([Check(application=application, library=code, position=index) for index, code in enumerate(libraries)])
    rows_insert(
        [
            WorkItem(
                application=application,
                department=department,
                position=index,
                idempotency_key=f"{application.id}:{department}",
            )
            for index, department in enumerate(departments)
        ]
    )
    transition(application, ApplicationStatus.CHECKING)
    # One task runs every library (`checks_run`); a check that needs another go later (a retry,
    # a re-drive by the sweeper) runs on its own (`check_run`).
    outbox_enqueue_many([checks_message(application.pk)])


# --- Check stage --------------------------------------------------------------------------------


def subject_for_application(*, application: Application) -> engine.Subject:
    return engine.Subject.from_document(application_document(application=application))


def checks_run(*, application_id: object) -> None:
    """Runs every waiting rule library of one application: one claim, one subject, one finish.

    The usual path of the check stage. The libraries share the subject they read and the
    application lock their results are recorded under, so a stage of five libraries costs one
    task and two short transactions instead of five tasks and ten. A library that fails is
    retried on its own (`check_run`); the others' results are recorded all the same.
    """
    claimed = _checks_claim(Check.objects.filter(application_id=application_id))
    if claimed:
        _checks_evaluate(claimed)


def check_run(*, check_id: int) -> None:
    """Runs one rule library on one application. Idempotent: a finished check is left alone."""
    claimed = _checks_claim(Check.objects.filter(pk=check_id))
    if claimed:
        _checks_evaluate(claimed)


def _checks_evaluate(claimed: list[Check]) -> None:
    application = claimed[0].application
    document = application_document(application=application)
    subject = engine.Subject.from_document(document)
    ports = engine.Ports(citizens=HttpCitizenLookup(application_id=application.id))
    results: dict[int, engine.CheckResult] = {}
    # The libraries read the publication log once between them, and all see the same moment of it.
    with publications_pinned():
        for check in claimed:
            try:
                results[check.pk] = engine.check_library(check.library, subject, ports=ports, record_hits=True)
            except Exception as error:  # any failure is retried, then ends visibly as an error
                logger.warning(
                    "check %s (%s) attempt %s failed: %s", check.pk, check.library, check.attempts, type(error).__name__
                )
                # Only the type: an exception message may quote personal data from the subject.
                _check_retry(check_id=check.pk, reason=type(error).__name__)
    if results:
        _checks_finish(application_id=application.pk, results=results, document=document)


def _checks_claim(checks: QuerySet[Check]) -> list[Check]:
    """Marks the checks running and counts their attempts; the ones to run now (maybe none).

    A running check is claimed again: that is a redelivery after its worker died. A check
    delivered too often ends in a visible error instead.
    """
    claimed: list[Check] = []
    poisoned: list[Check] = []
    with transaction.atomic(), transition_batch():
        rows = (
            checks.select_for_update(of=("self",))
            .select_related("application")
            .filter(application__status=ApplicationStatus.CHECKING)
            .exclude(status__in=Check.lifecycle.terminal)
            .order_by("pk")  # one lock order for every claimer
        )
        for check in rows:
            check.attempts += 1
            (poisoned if check.attempts > settings.WORKFLOW_MAX_ATTEMPTS else claimed).append(check)
        starting = [check for check in claimed if check.status == CheckStatus.PENDING]
        transition_each(
            starting,
            CheckStatus.RUNNING,
            fields=["attempts"],
            action="check.started",
            audit_of=lambda check: {"library": check.library, "attempt": check.attempts},
        )
        rows_update([check for check in [*claimed, *poisoned] if check not in starting], ["attempts", "updated_at"])
    for check in poisoned:
        _check_give_up(check_id=check.pk)
    return claimed


def _check_give_up(*, check_id: int) -> None:
    """Ends a check that was delivered too often in a visible error; a human then reviews."""
    with transaction.atomic(), transition_batch():
        check = Check.objects.get(pk=check_id)
        application = _lock_application(check.application_id)
        check = Check.objects.select_for_update().get(pk=check_id)
        if check.status in Check.lifecycle.terminal:
            return
        check.error = f"gave up after {settings.WORKFLOW_MAX_ATTEMPTS} attempts"
        check.finished_at = timezone.now()
        transition(
            check,
            CheckStatus.ERROR,
            fields=["attempts", "error", "finished_at"],
            action="check.failed",
            library=check.library,
        )
        checks_fan_in(application)


def _check_retry(*, check_id: int, reason: str) -> None:
    with transaction.atomic():
        check = Check.objects.select_for_update().get(pk=check_id)
        if check.status != CheckStatus.RUNNING:
            return
        check.error = reason
        transition(check, CheckStatus.PENDING, fields=["error"], action="check.retry_scheduled", reason=reason)
        # The next delivery counts the attempt and gives up past the limit.
        outbox_enqueue_many([check_message(check.pk, delay_seconds=retry_delay_seconds(attempt=check.attempts))])


def _checks_finish(*, application_id: object, results: dict[int, engine.CheckResult], document: dict) -> None:
    """Records the results under the application lock (application first, then its checks); the
    last check to finish decides. `document` is the one the checks read: what the applicant
    submitted does not change while it is checked, so the first departments' shares are cut
    from it instead of a second build."""
    with transaction.atomic(), transition_batch():
        application = _lock_application(application_id)
        checks = Check.objects.select_for_update().filter(pk__in=results).order_by("pk")
        # A check no longer running was finished by a concurrent delivery: its result stands.
        _checks_record([check for check in checks if check.status == CheckStatus.RUNNING], results)
        checks_fan_in(application, document=document)


def _checks_record(checks: list[Check], results: dict[int, engine.CheckResult]) -> None:
    now = timezone.now()
    for check in checks:
        result = results[check.pk]
        check.outcome = result.outcome
        check.findings = [finding.to_dict() for finding in result.findings]
        check.versions = result.versions
        check.error = ""
        check.finished_at = now
    transition_each(
        checks,
        CheckStatus.DONE,
        fields=["outcome", "findings", "versions", "error", "finished_at"],
        action="check.finished",
        audit_of=lambda check: {
            "library": check.library,
            "outcome": check.outcome,
            "versions": check.versions,
            "rules": [f["rule"] for f in check.findings],
        },
    )


def checks_fan_in(application: Application, *, document: dict | None = None) -> None:
    """Called with the application row locked: the last check to finish decides."""
    if application.status != ApplicationStatus.CHECKING:
        return
    checks = list(application.checks.values_list("status", "outcome"))
    if any(status not in Check.lifecycle.terminal for status, _ in checks):
        return
    # A check that could not run is not a pass: a human looks at it.
    decision = engine.combine_outcomes(
        [outcome if status == CheckStatus.DONE else CheckOutcome.REVIEW for status, outcome in checks]
    )
    application.auto_outcome = decision
    application.outcome = decision
    application.decided_at = timezone.now()
    decided = ["outcome", "auto_outcome", "decided_at"]
    if decision == Outcome.REJECT:
        transition(application, ApplicationStatus.REJECTED, fields=decided, outcome=decision)
    elif decision == Outcome.REVIEW:
        transition(application, ApplicationStatus.MANUAL_REVIEW, fields=decided, outcome=decision)
    else:
        transition(application, ApplicationStatus.DISPATCHING, fields=decided, outcome=decision)
        dispatch_ready(application=application, document=document)


def review_decide(*, application: Application, decision: str, reason: str, actor: str) -> Application:
    """Continues the pipeline after a reviewer's decision; call with the application row locked.

    approve → dispatch to the departments; reject → rejected; return → the applicant corrects
    and resubmits a new application that points at this one.
    """
    if application.status != ApplicationStatus.MANUAL_REVIEW:
        raise ValueError("This application is not waiting for manual review.")
    audit_record(action="review.decided", actor=actor, application_id=application.id, decision=decision, reason=reason)
    application.decided_at = timezone.now()
    if decision == "approve":
        application.outcome = Outcome.APPROVE
        transition(application, ApplicationStatus.DISPATCHING, fields=["outcome", "decided_at"], actor=actor)
        dispatch_ready(application=application)
    elif decision == "reject":
        application.outcome = Outcome.REJECT
        transition(application, ApplicationStatus.REJECTED, fields=["outcome", "decided_at"], actor=actor)
    else:
        transition(application, ApplicationStatus.RETURNED, fields=["decided_at"], actor=actor)
    return application


# --- Dispatch stage -----------------------------------------------------------------------------


def dispatch_ready(
    *,
    application: Application,
    locked_items: list[WorkItem] | None = None,
    after: Iterable[WorkItem] = (),
    document: dict | None = None,
    schedule: bool = True,
) -> list[WorkItem]:
    """Schedules every pending item whose dependencies are done; fails those whose dependency failed.

    Called with the application row locked (and its items, when the caller locked them already).
    `after` are the items that have just ended: only the items waiting on one of them are looked
    at, since every other pending item was scheduled when it became ready (without `after`,
    every pending item is, which a start, a review decision or a re-drive wants). The items that
    became ready together go out in one task (`departments_call`). Ends the application when
    nothing is left: `completed` when every department is done, `incomplete` when one failed for
    good. `document` is the application's document when the caller has it at hand. Returns the
    items that became ready; with `schedule=False` the caller takes them on itself instead of
    sending them a task (`departments_call`, which calls them at once).
    """
    if locked_items is None:
        locked_items = list(application.work_items.select_for_update())
    ended = {item.department for item in after}
    items = {item.department: item for item in locked_items}
    ready: list[WorkItem] = []
    for item in items.values():
        if item.status != WorkItemStatus.PENDING or (item.next_attempt_at and item.next_attempt_at > timezone.now()):
            continue
        if ended and not ended.intersection(department_dependencies(item.department)):
            continue
        dependencies = [items[d] for d in department_dependencies(item.department) if d in items]
        if any(d.status == WorkItemStatus.FAILED for d in dependencies):
            _work_item_fail(item, reason=UPSTREAM_FAILED)
        elif all(d.status == WorkItemStatus.DONE for d in dependencies):
            ready.append(item)
    if any(item.attempts == 0 for item in ready):
        # One document for every department that became ready (after market regulation, with
        # the credit code it issued), instead of one per call.
        payloads_store(
            document=application_document(application=application) if document is None else document,
            keys={item.department: item.idempotency_key for item in ready if item.attempts == 0},
        )
    if schedule:
        outbox_enqueue_many(
            [departments_message(ready)] if len(ready) > 1 else [department_message(item) for item in ready]
        )
    if all(item.status in WorkItem.TERMINAL for item in items.values()):
        application.completed_at = timezone.now()
        failed = sorted(d for d, item in items.items() if item.status == WorkItemStatus.FAILED)
        if failed:
            transition(application, ApplicationStatus.INCOMPLETE, fields=["completed_at"], failed=failed)
        else:
            transition(application, ApplicationStatus.COMPLETED, fields=["completed_at"])
    return ready


# A department's answer, or the transient failure that stands in for one until a retry.
CallOutcome = DepartmentAnswer | DepartmentUnavailable


def department_call(*, work_item_id: int) -> None:
    """Calls one department for one work item: a retry, a re-drive, or the only ready item."""
    departments_call(work_item_ids=[work_item_id])


def departments_call(*, work_item_ids: list[int]) -> None:
    """Calls the departments of one application's ready items at once. Idempotent, and exactly-once in effect.

    One claim for every item, the HTTP calls at the same time with no transaction open, and one
    finish that records every answer under one application lock and decides once. The five
    departments after market regulation so cost one task and two transactions instead of five
    tasks and ten, and take as long as the slowest of them. An item that failed for now is
    retried on its own (`department_call`); the others' answers are recorded all the same.

    The departments an answer makes ready (the five that wait for market regulation's credit
    code) are claimed in the same finish and called at once by this task: the next round costs
    no message, no queue wait and no claim of its own. A worker that dies between two rounds
    leaves those items in progress, and the sweeper re-drives them as any call cut short.
    """
    claimed = _work_items_claim(work_item_ids=work_item_ids)
    while claimed:
        outcomes = _departments_send(claimed)
        circuits_record(
            successes={item.department: not isinstance(outcomes[item.pk], DepartmentUnavailable) for item in claimed}
        )
        by_application: dict[object, list[WorkItem]] = {}
        for item in claimed:
            by_application.setdefault(item.application_id, []).append(item)
        claimed = [
            following
            for application_id, items in by_application.items()
            for following in _work_items_finish(application_id=application_id, claimed=items, outcomes=outcomes)
        ]


def _work_items_claim(*, work_item_ids: list[int]) -> list[WorkItem]:
    """Marks the items in progress and counts their attempts; the ones to call now (maybe none).

    An item already in progress is claimed again: that is a redelivery after its worker died,
    and the department answers a repeated key with its original answer. An item delivered too
    often ends in a visible failure instead.
    """
    now = timezone.now()
    with transaction.atomic(), transition_batch():
        rows = (
            WorkItem.objects.select_for_update(of=("self",))
            .select_related("application")
            .filter(pk__in=work_item_ids)
            .order_by("pk")  # one lock order for every claimer
        )
        candidates = _dependencies_done(
            [
                item
                for item in rows
                if item.status not in WorkItem.TERMINAL
                and item.application.status == ApplicationStatus.DISPATCHING
                and not (item.next_attempt_at and item.next_attempt_at > now + timedelta(seconds=1))
            ]
        )
        claimed, poisoned = _work_items_take(candidates, now=now)
    for item in poisoned:
        _work_item_give_up(claimed=item)
    return claimed


def _work_items_take(candidates: list[WorkItem], *, now: datetime) -> tuple[list[WorkItem], list[WorkItem]]:
    """Claims locked items whose upstream is done, in the transaction that locked them: the ones
    to call now, and the ones delivered too often (to give up on once it commits). An item whose
    department's circuit is open waits for the circuit instead, with a message of its own."""
    claimed: list[WorkItem] = []
    poisoned: list[WorkItem] = []
    if not candidates:
        return claimed, poisoned
    verdicts = circuits_allow(departments={item.department for item in candidates})
    for item in candidates:
        verdict = verdicts[item.department]
        if not verdict.allowed:
            # Not an attempt: the department is known to be sick, so wait for the circuit.
            delay = max(1.0, (verdict.retry_at - now).total_seconds()) if verdict.retry_at else 5.0
            item.next_attempt_at = now + timedelta(seconds=delay)
            item.error = "熔断中，稍后重试 / circuit open, retrying later"
            item.save(update_fields=["next_attempt_at", "error", "updated_at"])
            outbox_enqueue_many([department_message(item, delay_seconds=delay)])
            continue
        item.attempts += 1
        if item.attempts > settings.WORKFLOW_MAX_ATTEMPTS:
            poisoned.append(item)
            continue
        item.started_at = item.started_at or now
        claimed.append(item)
    starting = [item for item in claimed if item.status == WorkItemStatus.PENDING]
    transition_each(
        starting,
        WorkItemStatus.IN_PROGRESS,
        fields=["attempts", "started_at"],
        action="work_item.started",
        audit_of=lambda item: {"department": item.department, "attempt": item.attempts},
    )
    rows_update([item for item in claimed if item not in starting], ["attempts", "started_at", "updated_at"])
    rows_update(poisoned, ["attempts", "updated_at"])
    return claimed, poisoned


def _dependencies_done(items: list[WorkItem]) -> list[WorkItem]:
    """The items whose upstream departments are done, in one query: a call goes out only with
    what its upstream departments issued (the credit code)."""
    waiting = [item for item in items if department_dependencies(item.department)]
    if not waiting:
        return items
    statuses = {
        (application_id, department): status
        for application_id, department, status in WorkItem.objects.filter(
            application_id__in={item.application_id for item in waiting}
        ).values_list("application_id", "department", "status")
    }
    return [
        item
        for item in items
        if all(
            statuses.get((item.application_id, upstream), WorkItemStatus.DONE) == WorkItemStatus.DONE
            for upstream in department_dependencies(item.department)
        )
    ]


def _departments_send(claimed: list[WorkItem]) -> dict[int, CallOutcome]:
    """Sends each claimed item its stored share, all at once; the outcome of each, by item."""
    payloads = stored_payloads(keys=[item.idempotency_key for item in claimed])
    for item in claimed:
        if item.idempotency_key not in payloads:
            # Only when the share was not stored when the department became ready.
            payloads_store(
                document=application_document(application=item.application),
                keys={item.department: item.idempotency_key},
            )
            payloads.update(stored_payloads(keys=[item.idempotency_key]))

    def send(item: WorkItem) -> CallOutcome:
        try:
            return department_send(
                department=item.department,
                payload=payloads[item.idempotency_key],
                idempotency_key=item.idempotency_key,
                application_id=item.application_id,
            )
        except DepartmentUnavailable as error:
            return error
        except DepartmentRequestRefused as error:
            return DepartmentAnswer(outcome="refused", result={}, reason=str(error), exchange=error.exchange)

    # Concurrent only over a network: the in-process transport (no DEPARTMENTS_URL, as in
    # dry-runs) serves the request with this thread's database connection.
    if len(claimed) > 1 and settings.DEPARTMENTS_URL:
        with ThreadPoolExecutor(max_workers=len(claimed), thread_name_prefix="department-call") as pool:
            outcomes = list(pool.map(send, claimed))
    else:
        outcomes = [send(item) for item in claimed]
    return {item.pk: outcome for item, outcome in zip(claimed, outcomes, strict=True)}


def _lock_for_decision(application_id: object) -> tuple[Application, list[WorkItem]]:
    """Locks the application, then all its items (the order every decision takes), in two queries.

    The items come back with the locked application attached, so what reads `item.application`
    (the webhook listener) needs no query of its own.
    """
    application = _lock_application(application_id)
    items = list(application.work_items.select_for_update())
    for item in items:
        item.application = application
    return application, items


def _work_item_give_up(*, claimed: WorkItem) -> None:
    with transaction.atomic(), transition_batch():
        application, items = _lock_for_decision(claimed.application_id)
        item = next(row for row in items if row.pk == claimed.pk)
        if item.status in WorkItem.TERMINAL:
            return
        _work_item_fail(item, reason=f"gave up after {settings.WORKFLOW_MAX_ATTEMPTS} attempts: {item.error}")
        dispatch_ready(application=application, locked_items=items, after=[item])


def _work_items_finish(
    *, application_id: object, claimed: list[WorkItem], outcomes: dict[int, CallOutcome]
) -> list[WorkItem]:
    """Records the answers under the application lock (application first, then its items); decides
    once. Returns the items the answers made ready, claimed for the caller to call next."""
    following: list[WorkItem] = []
    poisoned: list[WorkItem] = []
    with transaction.atomic(), transition_batch():
        application, items = _lock_for_decision(application_id)
        locked = {item.pk: item for item in items}
        exchange_records([outcomes[item.pk].exchange for item in claimed if outcomes[item.pk].exchange is not None])
        answered: list[WorkItem] = []
        ended: list[WorkItem] = []
        for claimed_item in claimed:
            outcome = outcomes[claimed_item.pk]
            item = locked[claimed_item.pk]
            # An item no longer in progress was finished by a concurrent delivery: its answer stands.
            if item.status != WorkItemStatus.IN_PROGRESS:
                continue
            if isinstance(outcome, DepartmentAnswer) and outcome.outcome != "refused":
                if not _registration_record(application, item, outcome.result):
                    # The department answers a repeated key with the same code, so a retry cannot help.
                    _work_item_fail(item, reason=CREDIT_CODE_TAKEN.format(code=outcome.result["credit_code"]))
                    ended.append(item)
                    continue
                item.result = outcome.result
                answered.append(item)
            elif _work_item_unanswered(item, outcome):
                ended.append(item)
        _work_items_done(answered)
        if answered or ended:
            ready = dispatch_ready(
                application=application, locked_items=items, after=[*answered, *ended], schedule=False
            )
            following, poisoned = _work_items_take(ready, now=timezone.now())
    for item in poisoned:
        _work_item_give_up(claimed=item)
    return following


def _registration_record(application: Application, item: WorkItem, result: dict) -> bool:
    """Gives the application the credit code market regulation issued, and the new company joins
    the register at once, so the same name cannot pass again; False when another application
    already holds the code (nothing is recorded then).

    One UPDATE takes the code only where no other application holds it: a department whose
    register was reset issues codes again from the start, and saving one the platform already
    holds would break the applications' unique code on every attempt until the poison limit.
    """
    code = result.get("credit_code") if item.department == "market_regulation" else None
    if not code:
        return True
    now = timezone.now()
    held_elsewhere = Application.objects.filter(credit_code=code).exclude(pk=application.pk)
    if not Application.objects.filter(~Exists(held_elsewhere), pk=application.pk).update(
        credit_code=code, updated_at=now
    ):
        return False
    application.credit_code, application.updated_at = code, now
    enterprise_register(name=application.company_name, credit_code=code, address=application.address)
    if application.name_reservation:
        name_reservation_use(reference=application.name_reservation)
    return True


def _work_item_unanswered(item: WorkItem, outcome: CallOutcome) -> bool:
    """Records a refusal or a transient failure on its locked item; True when the item ended."""
    if isinstance(outcome, DepartmentUnavailable):
        reason = str(outcome)
        if item.attempts < settings.WORKFLOW_MAX_ATTEMPTS:
            _work_item_retry_later(item, reason=reason)
            return False
        _work_item_fail(item, reason=f"gave up after {item.attempts} attempts: {reason}")
        return True
    _work_item_fail(item, reason=outcome.reason)
    return True


def _work_items_done(items: list[WorkItem]) -> None:
    """Records the departments' answers (their `result` set) on their locked items, in one UPDATE."""
    now = timezone.now()
    for item in items:
        item.error = ""
        item.finished_at = now
    transition_each(
        items,
        WorkItemStatus.DONE,
        fields=["result", "error", "finished_at"],
        action="work_item.done",
        audit_of=lambda item: {"department": item.department},
    )


def _work_item_retry_later(item: WorkItem, *, reason: str) -> None:
    delay = retry_delay_seconds(attempt=item.attempts)
    item.error = reason[:300]
    item.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    transition(
        item,
        WorkItemStatus.PENDING,
        fields=["error", "next_attempt_at"],
        action="work_item.retry_scheduled",
        department=item.department,
        attempt=item.attempts,
        reason=reason[:200],
    )
    outbox_enqueue_many([department_message(item, delay_seconds=delay)])


def _work_item_fail(item: WorkItem, *, reason: str) -> None:
    item.error = reason[:300]
    item.finished_at = timezone.now()
    transition(
        item,
        WorkItemStatus.FAILED,
        fields=["error", "finished_at"],
        action="work_item.failed",
        department=item.department,
        reason=reason[:200],
    )
