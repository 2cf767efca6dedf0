"""The one gate every status change of the aggregate passes: the lifecycle allows it, the row is
saved, and the audit log records it in the same transaction."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from django.db import models

from applications.models import Application, Check, WorkItem
from applications.progress import progress_announce
from audit.services import SYSTEM, audit_batch, audit_record
from config.bulk import rows_update

Stateful = Application | Check | WorkItem


class Change(NamedTuple):
    row: Stateful
    source: str
    target: str


# Called as listener(changes) inside the caller's transaction, so whatever a listener records (a
# webhook event) commits or rolls back with the changes: after each change, or once with every
# change of a transition_batch() block.
TransitionListener = Callable[[list[Change]], None]
_listeners: list[TransitionListener] = []
# The changes made inside the current transition_batch() block, or None outside one.
_batch: ContextVar[list[Change] | None] = ContextVar("transition_batch", default=None)


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
    transition_each([row], target, fields=fields, action=action, actor=actor, audit_of=lambda _row: audit_data)


def transition_each(
    rows: Sequence[Stateful],
    target: str,
    *,
    fields: Iterable[str] = (),
    action: str | None = None,
    actor: str = SYSTEM,
    audit_of: Callable[[Stateful], dict[str, object]] = lambda _row: {},
) -> None:
    """transition() for several rows of one kind, saved in one UPDATE; raises IllegalTransition
    before anything is saved. `audit_of(row)` is the audit data of each row's event.

    A task that moves five checks or five departments at once saves them with one statement
    instead of five.
    """
    if not rows:
        return
    sources = [row.status for row in rows]
    for row, source in zip(rows, sources, strict=True):
        row.lifecycle.require(source, target)
    for row in rows:
        row.status = target
    rows_update(rows, ["status", "updated_at", *fields])
    changes = [Change(row, source, target) for row, source in zip(rows, sources, strict=True)]
    _record(changes, action=action, actor=actor, audit_of=audit_of)


def _record(
    changes: list[Change], *, action: str | None, actor: str, audit_of: Callable[[Stateful], dict[str, object]]
) -> None:
    """The audit event of each change, then the announcement (now, or when the batch ends)."""
    for row, source, target in changes:
        data = audit_of(row)
        if action is None:
            event_action = f"{row.lifecycle.name}.status_changed"
            data = {"from": source, "to": target, **data}
        else:
            event_action = action
        audit_record(action=event_action, actor=actor, application_id=_application_id(row), **data)
    pending = _batch.get()
    if pending is None:
        _announce(changes)
    else:
        pending.extend(changes)


@contextmanager
def transition_batch() -> Iterator[None]:
    """The status changes made inside are announced together when the block ends.

    A task moves several rows at once (five checks, five departments, then the application):
    their audit events go in as one INSERT, each listener sees all of them in one call (one
    webhook endpoint lookup, not one per row), and each application's waiters get one change
    notice. Use it as the body of the transaction (`with transaction.atomic(), transition_batch():`):
    an exception that leaves the block rolls the changes back, so nothing is announced. Nested
    blocks join the outermost one.
    """
    with audit_batch():
        if _batch.get() is not None:
            yield
            return
        changes: list[Change] = []
        token = _batch.set(changes)
        try:
            yield
        finally:
            _batch.reset(token)
        if changes:
            _announce(changes)


def _announce(changes: list[Change]) -> None:
    for listener in _listeners:
        listener(changes)
    for application_id in dict.fromkeys(_application_id(change.row) for change in changes):
        progress_announce(application_id=application_id)


def _application_id(row: Stateful) -> object:
    return row.pk if isinstance(row, Application) else row.application_id


def is_terminal(row: models.Model) -> bool:
    return row.status in row.lifecycle.terminal
