"""The pipeline's state machine: check stage, decision, dispatch DAG, completion.

Fan-in happens in the database: every parallel task writes its own row and then, in the same
transaction, locks the application row and checks whether it was the last. The last one advances
the state machine. Locks are always taken application first, then child rows.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from exchange.circuit import circuit_allows, circuit_record
from exchange.ports import HttpCitizenLookup
from exchange.services import DepartmentAnswer, DepartmentRequestRefused, DepartmentUnavailable, department_submit
from intake.models import Application, ApplicationStatus, Outcome
from intake.selectors import application_document
from rules import engine
from rules.services import enterprise_register
from workflow.models import Check, CheckOutcome, CheckStatus, WorkItem, WorkItemStatus
from workflow.outbox import outbox_enqueue

logger = logging.getLogger(__name__)

RUN_CHECK_TASK = "workflow.run_check"
CALL_DEPARTMENT_TASK = "workflow.call_department"
CHECKS_QUEUE = "checks"

# The dispatch DAG: market regulation issues the credit code every other department needs.
DEPENDENCIES: dict[str, tuple[str, ...]] = {"market_regulation": ()}
DEFAULT_DEPENDENCIES: tuple[str, ...] = ("market_regulation",)


def department_queue(department: str) -> str:
    # One queue per department, so a slow department only slows its own queue.
    return f"dept.{department}"


def department_dependencies(department: str) -> tuple[str, ...]:
    return DEPENDENCIES.get(department, DEFAULT_DEPENDENCIES)


def retry_delay_seconds(*, attempt: int) -> float:
    """Exponential backoff with full jitter, capped at a minute."""
    ceiling = min(60.0, settings.WORKFLOW_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


def _lock_with_application(model: type[Check] | type[WorkItem], pk: int) -> tuple[Application, Check | WorkItem] | None:
    """Locks the application, then the child row: always in that order, so workers never deadlock.

    Call inside a transaction. None when the row no longer exists.
    """
    application_id = model.objects.filter(pk=pk).values_list("application_id", flat=True).first()
    if application_id is None:
        return None
    application = Application.objects.select_for_update().get(pk=application_id)
    return application, model.objects.select_for_update().get(pk=pk)


# --- Start --------------------------------------------------------------------------------------


def pipeline_start(*, application: Application, departments: list[str]) -> None:
    """Creates the check and work-item rows and schedules the checks; runs in the submit transaction."""
    checks = Check.objects.bulk_create(
        Check(application=application, library=code, position=index)
        for index, code in enumerate(engine.library_codes())
    )
    WorkItem.objects.bulk_create(
        WorkItem(
            application=application,
            department=department,
            position=index,
            idempotency_key=f"{application.id}:{department}",
        )
        for index, department in enumerate(departments)
    )
    # bulk_create returns primary keys on PostgreSQL and SQLite (RETURNING).
    for check in checks:
        outbox_enqueue(task=RUN_CHECK_TASK, queue=CHECKS_QUEUE, check_id=check.pk)


# --- Check stage --------------------------------------------------------------------------------


def subject_for_application(*, application: Application) -> engine.Subject:
    return engine.Subject.from_document(application_document(application=application))


def check_run(*, check_id: int) -> None:
    """Runs one rule library on one application. Idempotent: a finished check is left alone."""
    check = _check_claim(check_id=check_id)
    if check is None:
        return
    application = check.application
    try:
        result = engine.check_library(
            check.library,
            subject_for_application(application=application),
            ports=engine.Ports(citizens=HttpCitizenLookup(application_id=application.id)),
            record_hits=True,
        )
    except Exception as error:  # any failure is retried, then ends visibly as an error
        logger.warning(
            "check %s (%s) attempt %s failed: %s", check.pk, check.library, check.attempts, type(error).__name__
        )
        # Only the type: an exception message may quote personal data from the subject.
        _check_retry_or_fail(check_id=check.pk, reason=type(error).__name__)
        return
    _check_finish(check_id=check.pk, result=result)


def _check_claim(*, check_id: int) -> Check | None:
    with transaction.atomic():
        locked = _lock_with_application(Check, check_id)
        if locked is None:
            return None
        application, check = locked
        if check.status in (CheckStatus.DONE, CheckStatus.ERROR) or application.status not in (
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.CHECKING,
        ):
            return None
        if application.status == ApplicationStatus.SUBMITTED:
            _application_transition(application, ApplicationStatus.CHECKING)
        check.attempts += 1
        if check.attempts > settings.WORKFLOW_MAX_ATTEMPTS:
            check.status = CheckStatus.ERROR
            check.error = f"gave up after {settings.WORKFLOW_MAX_ATTEMPTS} attempts"
            check.finished_at = timezone.now()
            check.save()
            audit_record(action="check.failed", application_id=application.id, library=check.library)
            checks_fan_in(application)
            return None
        check.status = CheckStatus.RUNNING
        check.save(update_fields=["status", "attempts", "updated_at"])
        audit_record(
            action="check.started", application_id=application.id, library=check.library, attempt=check.attempts
        )
        check.application = application
        return check


def _check_retry_or_fail(*, check_id: int, reason: str) -> None:
    with transaction.atomic():
        check = Check.objects.select_for_update().get(pk=check_id)
        if check.status != CheckStatus.RUNNING:
            return
        check.status = CheckStatus.PENDING
        check.error = reason
        check.save(update_fields=["status", "error", "updated_at"])
        # The next delivery counts the attempt and gives up past the limit.
        outbox_enqueue(
            task=RUN_CHECK_TASK,
            queue=CHECKS_QUEUE,
            delay_seconds=retry_delay_seconds(attempt=check.attempts),
            check_id=check.pk,
        )


def _check_finish(*, check_id: int, result: engine.CheckResult) -> None:
    with transaction.atomic():
        application, check = _lock_with_application(Check, check_id)
        if check.status != CheckStatus.RUNNING:
            return
        check.status = CheckStatus.DONE
        check.outcome = result.outcome
        check.findings = [finding.to_dict() for finding in result.findings]
        check.versions = result.versions
        check.error = ""
        check.finished_at = timezone.now()
        check.save()
        audit_record(
            action="check.finished",
            application_id=application.id,
            library=check.library,
            outcome=check.outcome,
            versions=check.versions,
            rules=[f["rule"] for f in check.findings],
        )
        checks_fan_in(application)


def checks_fan_in(application: Application) -> None:
    """Called with the application row locked: the last check to finish decides."""
    if application.status != ApplicationStatus.CHECKING:
        return
    if application.checks.exclude(status__in=(CheckStatus.DONE, CheckStatus.ERROR)).exists():
        return
    decision_make(application=application)


def decision_make(*, application: Application) -> None:
    checks = list(application.checks.all())
    # A check that could not run is not a pass: a human looks at it.
    outcomes = [c.outcome if c.status == CheckStatus.DONE else CheckOutcome.REVIEW for c in checks]
    decision = engine.combine_outcomes(outcomes)
    application.auto_outcome = decision
    application.outcome = decision
    application.decided_at = timezone.now()
    if decision == Outcome.REJECT:
        _application_transition(application, ApplicationStatus.REJECTED, outcome=decision)
    elif decision == Outcome.REVIEW:
        _application_transition(application, ApplicationStatus.MANUAL_REVIEW, outcome=decision)
    else:
        _application_transition(application, ApplicationStatus.DISPATCHING, outcome=decision)
        dispatch_ready(application=application)


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
        _application_transition(application, ApplicationStatus.DISPATCHING, actor=actor)
        dispatch_ready(application=application)
    elif decision == "reject":
        application.outcome = Outcome.REJECT
        _application_transition(application, ApplicationStatus.REJECTED, actor=actor)
    else:
        _application_transition(application, ApplicationStatus.RETURNED, actor=actor)
    return application


# --- Dispatch stage -----------------------------------------------------------------------------


def dispatch_ready(*, application: Application) -> None:
    """Schedules every pending item whose dependencies are done; fails those whose dependency failed.

    Called with the application row locked. Completes the application when nothing is left.
    """
    items = {item.department: item for item in application.work_items.select_for_update()}
    for item in items.values():
        if item.status != WorkItemStatus.PENDING:
            continue
        dependencies = [items[d] for d in department_dependencies(item.department) if d in items]
        if any(d.status == WorkItemStatus.FAILED for d in dependencies):
            _work_item_fail(item, reason="上游部门办理失败 / an upstream department failed")
        elif all(d.status == WorkItemStatus.DONE for d in dependencies):
            outbox_enqueue(task=CALL_DEPARTMENT_TASK, queue=department_queue(item.department), work_item_id=item.pk)
    if all(item.status in WorkItem.TERMINAL for item in items.values()):
        application.completed_at = timezone.now()
        _application_transition(application, ApplicationStatus.COMPLETED)


def department_call(*, work_item_id: int) -> None:
    """Calls one department for one work item. Idempotent, and exactly-once in effect."""
    item = _work_item_claim(work_item_id=work_item_id)
    if item is None:
        return
    document = application_document(application=item.application)
    try:
        answer = department_submit(department=item.department, document=document, idempotency_key=item.idempotency_key)
    except DepartmentUnavailable as error:
        circuit_record(department=item.department, success=False)
        _work_item_retry_or_fail(work_item_id=item.pk, reason=str(error))
        return
    except DepartmentRequestRefused as error:
        _work_item_finish(
            work_item_id=item.pk, answer=DepartmentAnswer(outcome="refused", result={}, reason=str(error))
        )
        return
    circuit_record(department=item.department, success=True)
    _work_item_finish(work_item_id=item.pk, answer=answer)


def _work_item_claim(*, work_item_id: int) -> WorkItem | None:
    with transaction.atomic():
        locked = _lock_with_application(WorkItem, work_item_id)
        if locked is None:
            return None
        application, item = locked
        now = timezone.now()
        if (
            item.status != WorkItemStatus.PENDING
            or application.status != ApplicationStatus.DISPATCHING
            or (item.next_attempt_at and item.next_attempt_at > now + timedelta(seconds=1))
        ):
            return None
        verdict = circuit_allows(department=item.department)
        if not verdict.allowed:
            # Not an attempt: the department is known to be sick, so wait for the circuit.
            delay = max(1.0, (verdict.retry_at - now).total_seconds()) if verdict.retry_at else 5.0
            item.next_attempt_at = now + timedelta(seconds=delay)
            item.error = "熔断中，稍后重试 / circuit open, retrying later"
            item.save(update_fields=["next_attempt_at", "error", "updated_at"])
            outbox_enqueue(
                task=CALL_DEPARTMENT_TASK,
                queue=department_queue(item.department),
                delay_seconds=delay,
                work_item_id=item.pk,
            )
            return None
        item.attempts += 1
        if item.attempts > settings.WORKFLOW_MAX_ATTEMPTS:
            _work_item_fail(item, reason=f"gave up after {settings.WORKFLOW_MAX_ATTEMPTS} attempts: {item.error}")
            dispatch_ready(application=application)
            return None
        item.status = WorkItemStatus.IN_PROGRESS
        item.started_at = item.started_at or now
        item.save(update_fields=["status", "attempts", "started_at", "updated_at"])
        audit_record(
            action="work_item.started", application_id=application.id, department=item.department, attempt=item.attempts
        )
        item.application = application
        return item


def _work_item_retry_or_fail(*, work_item_id: int, reason: str) -> None:
    with transaction.atomic():
        application, item = _lock_with_application(WorkItem, work_item_id)
        if item.status != WorkItemStatus.IN_PROGRESS:
            return
        if item.attempts >= settings.WORKFLOW_MAX_ATTEMPTS:
            _work_item_fail(item, reason=f"gave up after {item.attempts} attempts: {reason}")
            dispatch_ready(application=application)
            return
        delay = retry_delay_seconds(attempt=item.attempts)
        item.status = WorkItemStatus.PENDING
        item.error = reason[:300]
        item.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        item.save(update_fields=["status", "error", "next_attempt_at", "updated_at"])
        audit_record(
            action="work_item.retry_scheduled",
            application_id=application.id,
            department=item.department,
            attempt=item.attempts,
            reason=reason[:200],
        )
        outbox_enqueue(
            task=CALL_DEPARTMENT_TASK,
            queue=department_queue(item.department),
            delay_seconds=delay,
            work_item_id=item.pk,
        )


def _work_item_finish(*, work_item_id: int, answer: DepartmentAnswer) -> None:
    with transaction.atomic():
        application, item = _lock_with_application(WorkItem, work_item_id)
        if item.status != WorkItemStatus.IN_PROGRESS:
            return
        if answer.outcome == "refused":
            _work_item_fail(item, reason=answer.reason)
        else:
            item.status = WorkItemStatus.DONE
            item.result = answer.result
            item.error = ""
            item.finished_at = timezone.now()
            item.save()
            audit_record(action="work_item.done", application_id=application.id, department=item.department)
            if item.department == "market_regulation" and answer.result.get("credit_code"):
                application.credit_code = answer.result["credit_code"]
                application.save(update_fields=["credit_code", "updated_at"])
                # The new company joins the register at once, so the same name cannot pass again.
                enterprise_register(
                    name=application.company_name, credit_code=application.credit_code, address=application.address
                )
        dispatch_ready(application=application)


def _work_item_fail(item: WorkItem, *, reason: str) -> None:
    item.status = WorkItemStatus.FAILED
    item.error = reason[:300]
    item.finished_at = timezone.now()
    item.save()
    audit_record(
        action="work_item.failed", application_id=item.application_id, department=item.department, reason=reason[:200]
    )


# --- Transitions ----------------------------------------------------------------------------


def _application_transition(
    application: Application, status: str, *, actor: str = "system", outcome: str | None = None
) -> None:
    previous = application.status
    application.status = status
    application.save()
    audit_record(
        action="application.status_changed",
        actor=actor,
        application_id=application.id,
        **{"from": previous, "to": status, **({"outcome": outcome} if outcome else {})},
    )
