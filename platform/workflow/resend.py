"""Recovery of failed department filings: an operator resends a work item that failed for good.

A resend is the same filing again, not a new one: the same idempotency key and, through the
exchange layer, exactly the body first sent (see `exchange.services.sent_payload`). So a
department that did register the first attempt answers with its stored answer, and a change to
the sharing policy since then can never make the resend a conflicting repeat.
"""

from django.db import transaction

from applications.models import Application, ApplicationStatus, WorkItem, WorkItemStatus
from applications.transitions import transition
from workflow.services import UPSTREAM_FAILED, department_dependencies, dispatch_ready

REASON_MAX = 200
# Applications a resend may reopen: ended incomplete, or still dispatching the other departments.
RESENDABLE_APPLICATION_STATUSES = (ApplicationStatus.INCOMPLETE, ApplicationStatus.DISPATCHING)


class FailureKind:
    """Why a work item failed, as the applicant's status page explains what happens next."""

    UPSTREAM = "upstream"  # its upstream department failed; it continues once that one is done
    REFUSED = "refused"  # the department answered no (or refused the request itself)
    UNAVAILABLE = "unavailable"  # the department could not be reached before the retries ran out


def work_item_failure_kind(*, status: str, error: str) -> str | None:
    if status != WorkItemStatus.FAILED:
        return None
    if error == UPSTREAM_FAILED:
        return FailureKind.UPSTREAM
    if error.startswith("gave up after"):
        return FailureKind.UNAVAILABLE
    return FailureKind.REFUSED


class ResendRefused(Exception):
    """The work item cannot be resent; the message says why, in Chinese and English."""


def work_item_resend(*, work_item_id: int, reason: str, actor: str) -> list[WorkItem]:
    """Resends a failed work item, and the dependants its failure failed; returns the reopened items.

    One transaction, application row first (the pipeline's lock order): the application goes
    `incomplete` → `dispatching`, the item `failed` → `pending` with a fresh attempt budget, and
    `dispatch_ready` schedules it through the outbox once the transaction commits. Audited as
    `work_item.resent` with the operator and the reason.
    """
    reason = reason.strip()
    if not reason:
        raise ResendRefused("请填写重新报送的原因 / a reason for the resend is required")
    with transaction.atomic():
        application_id = WorkItem.objects.filter(pk=work_item_id).values_list("application_id", flat=True).first()
        if application_id is None:
            raise ResendRefused("没有这个办理事项 / no such work item")
        application = Application.objects.select_for_update().get(pk=application_id)
        items = {item.department: item for item in application.work_items.select_for_update()}
        item = next(item for item in items.values() if item.pk == work_item_id)
        _check_resendable(application=application, item=item, items=items)
        if application.status == ApplicationStatus.INCOMPLETE:
            application.completed_at = None
            transition(application, ApplicationStatus.DISPATCHING, fields=["completed_at"], actor=actor, reason=reason)
        reopened = [item]
        _work_item_reopen(item, reason=reason, actor=actor)
        # The dependants that failed only because this department had failed go back too: they
        # are dispatched again once it is done.
        for dependant in items.values():
            if (
                dependant.status == WorkItemStatus.FAILED
                and dependant.error == UPSTREAM_FAILED
                and item.department in department_dependencies(dependant.department)
            ):
                _work_item_reopen(dependant, reason=reason, actor=actor, upstream=item.department)
                reopened.append(dependant)
        dispatch_ready(application=application)
    return reopened


def _check_resendable(*, application: Application, item: WorkItem, items: dict[str, WorkItem]) -> None:
    if item.status != WorkItemStatus.FAILED:
        raise ResendRefused("只能重新报送办理失败的事项 / only a failed work item can be resent")
    if application.status not in RESENDABLE_APPLICATION_STATUSES:
        raise ResendRefused("该申请当前不能重新报送 / this application cannot be resent in its current status")
    if application.personal_data_erased_at is not None:
        raise ResendRefused("申请人信息已按期删除，不能重新报送 / the personal data was erased; nothing can be resent")
    blocked = sorted(
        department
        for department in department_dependencies(item.department)
        if department in items and items[department].status != WorkItemStatus.DONE
    )
    if blocked:
        raise ResendRefused(f"请先重新报送上游部门 / resend the upstream department first: {', '.join(blocked)}")


def _work_item_reopen(item: WorkItem, *, reason: str, actor: str, upstream: str | None = None) -> None:
    previous_error, previous_attempts = item.error, item.attempts
    # A fresh attempt budget: the automatic retries ran out, and a human decided to try again.
    item.attempts = 0
    item.error = ""
    item.next_attempt_at = None
    item.finished_at = None
    extra = {"upstream": upstream} if upstream else {}
    transition(
        item,
        WorkItemStatus.PENDING,
        fields=["attempts", "error", "next_attempt_at", "finished_at"],
        action="work_item.resent",
        actor=actor,
        department=item.department,
        reason=reason[:REASON_MAX],
        previous_error=previous_error[:REASON_MAX],
        previous_attempts=previous_attempts,
        **extra,
    )
