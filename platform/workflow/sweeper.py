"""The sweeper re-drives work that is stuck past a deadline (a lost message, a killed worker).

Each query reads only unfinished rows through a partial index, so a sweep costs the same
whatever the size of history, and an idle sweep is three index probes.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from applications.models import ACTIVE_APPLICATION_STATUSES, Application, ApplicationStatus, Check, WorkItem
from applications.states import CheckStatus, WorkItemStatus
from applications.transitions import transition
from config.celery_app import app as celery_app
from workflow.outbox import outbox_enqueue_many
from workflow.services import (
    CHECKS_QUEUE,
    DEPARTMENTS_QUEUE,
    check_message,
    checks_fan_in,
    department_queue,
    department_queues,
    dispatch_ready,
)

logger = logging.getLogger(__name__)

_BATCH = 500


@dataclass(frozen=True)
class SweepReport:
    checks: int = 0
    work_items: int = 0
    applications: int = 0

    @property
    def total(self) -> int:
        return self.checks + self.work_items + self.applications


def workflow_sweep(*, stuck_after: timedelta | None = None) -> SweepReport:
    stuck_after = stuck_after or timedelta(seconds=settings.WORKFLOW_STUCK_AFTER_SECONDS)
    now = timezone.now()
    deadline = now - stuck_after
    # Pending work whose queue still holds messages is probably waiting its turn: it is
    # re-driven only after this longer deadline, so a backlog gains at most one duplicate per
    # period instead of one per sweep.
    queued_deadline = min(deadline, now - timedelta(seconds=settings.WORKFLOW_QUEUED_STUCK_AFTER_SECONDS))
    report = SweepReport(
        checks=_sweep_checks(deadline=deadline, queued_deadline=queued_deadline),
        work_items=_sweep_work_items(deadline=deadline, queued_deadline=queued_deadline),
        applications=_sweep_applications(deadline=deadline),
    )
    if report.total:
        logger.info("sweeper re-drove %s checks, %s work items, %s applications", *vars(report).values())
    return report


def queues_holding_messages(queues: Iterable[str]) -> set[str]:
    """The queues in which the broker still holds messages waiting for a worker.

    A pending row whose queue holds messages may simply be waiting its turn behind a backlog;
    re-publishing it then would only add a duplicate to the backlog, and under sustained load
    each sweep would add another. A pending row whose queue is empty has lost its message.
    When the broker cannot be asked, every queue counts as empty: re-driving repeats work, but
    never loses it.
    """
    holding: set[str] = set()
    try:
        with celery_app.connection_for_read() as connection:
            channel = connection.default_channel
            for queue in queues:
                try:
                    if channel.queue_declare(queue=queue, passive=True).message_count:
                        holding.add(queue)
                except Exception:  # a queue nobody declared yet holds nothing
                    continue
    except Exception:
        logger.warning("sweeper: the broker did not report its queues; pending work is re-driven")
        return set()
    return holding


def _sweep_checks(*, deadline: datetime, queued_deadline: datetime) -> int:
    waiting_turn = CHECKS_QUEUE in queues_holding_messages([CHECKS_QUEUE])
    stuck = Check.objects.filter(
        status__in=(CheckStatus.PENDING, CheckStatus.RUNNING),
        updated_at__lt=deadline,
        application__status=ApplicationStatus.CHECKING,
    ).values_list("id", flat=True)[:_BATCH]
    count = 0
    for check_id in stuck:
        with transaction.atomic():
            check = Check.objects.select_for_update().get(pk=check_id)
            if check.status not in (CheckStatus.PENDING, CheckStatus.RUNNING) or check.updated_at >= deadline:
                continue
            if check.status == CheckStatus.PENDING and waiting_turn and check.updated_at >= queued_deadline:
                continue
            if check.status == CheckStatus.RUNNING:
                # A running check this old lost its worker: its attempt is counted, run it again.
                transition(check, CheckStatus.PENDING, action="check.redriven", library=check.library)
            else:
                check.save(update_fields=["updated_at"])
            outbox_enqueue_many([check_message(check.pk)])
            count += 1
    return count


def _sweep_work_items(*, deadline: datetime, queued_deadline: datetime) -> int:
    now = timezone.now()
    stuck = WorkItem.objects.filter(
        status__in=(WorkItemStatus.PENDING, WorkItemStatus.IN_PROGRESS),
        updated_at__lt=deadline,
        application__status=ApplicationStatus.DISPATCHING,
    ).values_list("id", "application_id")[:_BATCH]
    stuck = list(stuck)
    by_application: dict[object, list[int]] = {}
    for item_id, application_id in stuck:
        by_application.setdefault(application_id, []).append(item_id)
    waiting_turn = queues_holding_messages(department_queues()) if stuck else set()
    count = 0
    for application_id, item_ids in by_application.items():
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=application_id)
            redriven = 0
            for item in WorkItem.objects.select_for_update().filter(pk__in=item_ids):
                if (
                    item.status not in (WorkItemStatus.PENDING, WorkItemStatus.IN_PROGRESS)
                    or item.updated_at >= deadline
                ):
                    continue
                if item.next_attempt_at and item.next_attempt_at > now:
                    continue
                if (
                    item.status == WorkItemStatus.PENDING
                    and waiting_turn.intersection((department_queue(item.department), DEPARTMENTS_QUEUE))
                    and item.updated_at >= queued_deadline
                ):
                    continue
                if item.status == WorkItemStatus.IN_PROGRESS:
                    # Safe to repeat: the department replays its original answer for the same key.
                    transition(item, WorkItemStatus.PENDING, action="work_item.redriven", department=item.department)
                else:
                    item.save(update_fields=["updated_at"])
                redriven += 1
            if redriven:
                # Through the DAG, never straight to the queue: a pending item may still be
                # waiting for the credit code of its upstream department.
                dispatch_ready(application=application)
            count += redriven
    return count


def _sweep_applications(*, deadline: datetime) -> int:
    """Advances applications whose children all finished but which did not move on."""
    candidates = (
        Application.objects.filter(status__in=ACTIVE_APPLICATION_STATUSES, updated_at__lt=deadline)
        .order_by("updated_at")
        .values_list("id", flat=True)[:_BATCH]
    )
    count = 0
    for application_id in candidates:
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=application_id)
            before = application.status
            if application.status == ApplicationStatus.CHECKING:
                checks_fan_in(application)
            elif application.status == ApplicationStatus.DISPATCHING:
                dispatch_ready(application=application)
            count += application.status != before
    return count
