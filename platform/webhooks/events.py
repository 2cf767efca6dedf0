"""Webhook events: what each carries, and how a status change records them for delivery.

Events are recorded by a listener on `applications.transitions.transition`, inside the
transaction of the status change, and delivered through the outbox after it commits: an event
exists exactly when its change does, and a slow receiver never slows the pipeline.

Payloads carry IDs, statuses and masked names only: never an ID or phone number.
"""

import json
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import TextChoices
from django.utils import timezone

from applications.models import Application, ApplicationStatus, Person, WorkItem, WorkItemStatus
from applications.transitions import Change
from licences.selectors import licence_number_of
from webhooks.models import WebhookDelivery, WebhookEndpoint
from workflow.outbox import TaskMessage, outbox_enqueue_many
from workflow.resend import work_item_failure_kind

DELIVER_TASK = "webhooks.deliver"


class EventType(TextChoices):
    APPLICATION_STATUS_CHANGED = "application.status_changed", "申请状态变化 / application status changed"
    APPLICATION_COMPLETED = "application.completed", "申请已办结 / application completed"
    APPLICATION_INCOMPLETE = "application.incomplete", "部分部门办理失败 / application incomplete"
    DEPARTMENT_DONE = "department.done", "部门办结 / department done"
    DEPARTMENT_FAILED = "department.failed", "部门办理失败 / department failed"
    VERIFICATION_REQUIRED = "verification.required", "等待实名核验 / verification required"


def mask_name(name: str) -> str:
    """A person's name as payloads show it: the first character, the rest starred (张*, 欧阳**)."""
    value = (name or "").strip()
    return value[:1] + "*" * (len(value) - 1) if value else ""


def deliver_message(delivery_id: int, *, delay_seconds: float = 0.0) -> TaskMessage:
    return TaskMessage(
        task=DELIVER_TASK,
        queue=settings.WEBHOOKS_QUEUE,
        kwargs={"delivery_id": delivery_id},
        delay_seconds=delay_seconds,
    )


def events_record(*, api_client_id: int | None, application_id: uuid.UUID, events: list[tuple[str, dict]]) -> int:
    """Records deliveries of the events to the client's enabled endpoints that want them.

    Runs in the caller's transaction; the delivery tasks are published after it commits.
    Returns how many deliveries it recorded.
    """
    if api_client_id is None or not events:
        return 0
    endpoints = _endpoints_by_client({api_client_id}).get(api_client_id, [])
    return _deliveries_record(endpoints, [(application_id, event) for event in events])


def _deliveries_record(endpoints: list[WebhookEndpoint], events: list[tuple[uuid.UUID, tuple[str, dict]]]) -> int:
    """One delivery of each (application, event) to each endpoint that wants it, in one insert."""
    if not endpoints:
        return 0
    now = timezone.now()
    deliveries = [
        WebhookDelivery(
            endpoint_id=endpoint.id,
            message_id=f"msg_{uuid.uuid4().hex}",
            event_type=event_type,
            application_id=application_id,
            body=json.dumps(
                {"type": event_type, "timestamp": now.isoformat(), "data": data},
                ensure_ascii=False,
                separators=(",", ":"),
            ),
            window_started_at=now,
        )
        for application_id, (event_type, data) in events
        for endpoint in endpoints
        if event_type in endpoint.events
    ]
    if not deliveries:
        return 0
    created = WebhookDelivery.objects.bulk_create(deliveries)
    outbox_enqueue_many([deliver_message(delivery.pk) for delivery in created])
    return len(created)


def _application_events(application: Application, source: str, target: str) -> list[tuple[str, dict]]:
    data = {"application_id": str(application.id), "status": target, "previous_status": source}
    events = [(EventType.APPLICATION_STATUS_CHANGED, data)]
    if target == ApplicationStatus.COMPLETED:
        completed = {
            **data,
            "credit_code": application.credit_code,
            "licence_number": licence_number_of(application=application),
        }
        events.append((EventType.APPLICATION_COMPLETED, completed))
    elif target == ApplicationStatus.INCOMPLETE:
        failed = sorted(
            application.work_items.filter(status=WorkItemStatus.FAILED).values_list("department", flat=True)
        )
        events.append((EventType.APPLICATION_INCOMPLETE, {**data, "failed_departments": failed}))
    return events


def _work_item_events(item: WorkItem, target: str) -> list[tuple[str, dict]]:
    data = {"application_id": str(item.application_id), "status": target, "department": item.department}
    if target == WorkItemStatus.DONE:
        return [(EventType.DEPARTMENT_DONE, data)]
    if target == WorkItemStatus.FAILED:
        # The reason is the platform's or the department's wording, never a value it was sent.
        failure = work_item_failure_kind(status=target, error=item.error)
        return [(EventType.DEPARTMENT_FAILED, {**data, "failure": failure, "reason": item.error})]
    return []


def events_on_transitions(changes: list[Change]) -> None:
    """The transition listener: the events the status changes mean, recorded for delivery.

    The changes of one transaction share one endpoint lookup and one insert. Events are built
    only for clients that have an endpoint: building one can read more (the licence number of a
    completed application), and most clients file without webhooks.
    """
    clients: list[tuple[int, Change]] = []
    for change in changes:
        row, _source, target = change
        if isinstance(row, Application):
            api_client_id = row.api_client_id
        elif isinstance(row, WorkItem) and target in (WorkItemStatus.DONE, WorkItemStatus.FAILED):
            api_client_id = _api_client_of(row)
        else:
            continue
        if api_client_id is not None:
            clients.append((api_client_id, change))
    if not clients:
        return
    endpoints = _endpoints_by_client({api_client_id for api_client_id, _change in clients})
    by_client: dict[int, list[tuple[uuid.UUID, tuple[str, dict]]]] = {}
    for api_client_id, (row, source, target) in clients:
        if api_client_id not in endpoints:
            continue
        events = (
            _application_events(row, source, target) if isinstance(row, Application) else _work_item_events(row, target)
        )
        by_client.setdefault(api_client_id, []).extend((_application_id(row), event) for event in events)
    for api_client_id, events in by_client.items():
        _deliveries_record(endpoints[api_client_id], events)


def _endpoints_by_client(api_client_ids: set[int]) -> dict[int, list[WebhookEndpoint]]:
    """The enabled endpoints of these clients, in one query; a client without any is absent.

    Every transition batch with a client asks, and most find none, so the statement is written
    out (`raw`, which still converts each column as its field does): the ORM's compile of the
    same filter cost 0.8 ms of CPU a call against 0.25 ms (500 calls in a loop on PostgreSQL).
    """
    ids = sorted(api_client_ids)
    placeholders = ", ".join(["%s"] * len(ids))
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.raw(f"{_ENDPOINTS_SQL} ({placeholders})", [True, *ids]):
        endpoints.setdefault(endpoint.api_client_id, []).append(endpoint)
    return endpoints


_ENDPOINTS_SQL = (
    f"SELECT id, api_client_id, events FROM {WebhookEndpoint._meta.db_table} WHERE is_enabled = %s AND api_client_id IN"
)


def _api_client_of(item: WorkItem) -> int | None:
    if WorkItem.application.is_cached(item):
        return item.application.api_client_id
    return Application.objects.filter(pk=item.application_id).values_list("api_client_id", flat=True)[0]


def _application_id(row: Application | WorkItem) -> uuid.UUID:
    return row.pk if isinstance(row, Application) else row.application_id


def verification_required_record(*, application: Application, people: Iterable[Person]) -> int:
    """`verification.required`: the people still to verify, by role and masked name.

    For the proof-of-presence flow to call when it starts waiting; nothing else emits it.
    """
    data = {
        "application_id": str(application.id),
        "status": application.status,
        "people": [{"role": person.role, "name": mask_name(person.name)} for person in people],
    }
    return events_record(
        api_client_id=application.api_client_id,
        application_id=application.id,
        events=[(EventType.VERIFICATION_REQUIRED, data)],
    )


def retry_window() -> timedelta:
    return timedelta(hours=settings.WEBHOOKS_RETRY_WINDOW_HOURS)
