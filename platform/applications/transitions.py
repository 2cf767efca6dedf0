"""The one gate every status change of the aggregate passes: the lifecycle allows it, the row is
saved, and the audit log records it in the same transaction."""

from collections.abc import Callable, Iterable

from django.db import models

from applications.models import Application, Check, WorkItem
from applications.progress import progress_announce
from audit.services import SYSTEM, audit_record

Stateful = Application | Check | WorkItem
# Called as listener(row, source, target) after each change, inside the caller's transaction,
# so whatever a listener records (a webhook event) commits or rolls back with the change.
TransitionListener = Callable[[Stateful, str, str], None]
_listeners: list[TransitionListener] = []


def transition_listen(listener: TransitionListener) -> None:
    """Registers a listener once (apps register theirs in AppConfig.ready)."""
    if listener not in _listeners:
        _listeners.append(listener)


def transition(
    row: Stateful,
    target: str,
    *,
    fields: Iterable[str] = (),
    action: str | None = None,
    actor: str = SYSTEM,
    **audit_data: object,
) -> None:
    """Moves `row` to `target` and saves the status with `fields`; raises IllegalTransition.

    Call inside the transaction that holds the row (locked, or just created). The audit event
    defaults to "<lifecycle>.status_changed" with from/to; callers with an established event
    name (check.finished, work_item.done, …) pass it as `action`.
    """
    source = row.status
    row.lifecycle.require(source, target)
    row.status = target
    row.save(update_fields=["status", "updated_at", *fields])
    application_id = row.pk if isinstance(row, Application) else row.application_id
    if action is None:
        action = f"{row.lifecycle.name}.status_changed"
        audit_data = {"from": source, "to": target, **audit_data}
    audit_record(action=action, actor=actor, application_id=application_id, **audit_data)
    for listener in _listeners:
        listener(row, source, target)
    progress_announce(application_id=application_id)


def is_terminal(row: models.Model) -> bool:
    return row.status in row.lifecycle.terminal
