"""Appending to, sealing and verifying the hash-chained audit log.

An append is a plain INSERT in the caller's transaction, so the event commits or rolls back with
the change it records, and no lock is shared between writers. The event is unsealed until the
sequencer (audit/sequencer.py) gives it its chain position and hash, in a batch, shortly after
it commits. audit_verify checks the sealed chain and reports the backlog awaiting sealing.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from audit.chain import GENESIS_HASH, canonical_data, event_hash
from audit.models import AuditChainHead, AuditEvent
from audit.sequencer import audit_seal, audit_seal_backlog
from config.bulk import rows_insert

__all__ = [
    "BROKEN_LINK",
    "HASH_MISMATCH",
    "HEAD_MISMATCH",
    "MISSING_SEQUENCE",
    "SYSTEM",
    "VerifyReport",
    "audit_batch",
    "audit_record",
    "audit_seal",
    "audit_seal_backlog",
    "audit_verify",
]

SYSTEM = "system"

HASH_MISMATCH = "hash mismatch"
BROKEN_LINK = "broken previous link"
MISSING_SEQUENCE = "missing sequence"
HEAD_MISMATCH = "chain head mismatch"


# The events appended inside the current audit_batch() block, or None outside one.
_batch: ContextVar[list[AuditEvent] | None] = ContextVar("audit_batch", default=None)


def audit_record(
    *, action: str, actor: str = SYSTEM, application_id: uuid.UUID | None = None, **data: object
) -> AuditEvent:
    """Appends an event, unsealed. Callers pass IDs, states and reasons; never personal data.

    Runs in the caller's transaction when there is one (outside one, the INSERT is a transaction
    of its own); inside an audit_batch() block it goes in with the block's other events when the
    block ends. The returned event has no sequence or hash yet: the sequencer seals it after the
    transaction commits.
    """
    # A hex string and a UUID must hash alike: the column hands back a UUID either way.
    application_uuid = uuid.UUID(str(application_id)) if application_id else None
    event = AuditEvent(
        created_at=timezone.now(),
        application_id=application_uuid,
        actor=actor,
        action=action,
        data=canonical_data(data),
    )
    pending = _batch.get()
    if pending is None:
        rows_insert([event])
    else:
        pending.append(event)
    return event


@contextmanager
def audit_batch() -> Iterator[None]:
    """The events appended inside the block go in as one INSERT when it ends.

    A task's transaction records several events (every status change and exchange it makes):
    one statement for all of them instead of one each. Use it as the body of the transaction
    (`with transaction.atomic(), audit_batch():`): an exception that leaves the block leaves
    the transaction too, which rolls back what the events would have recorded. Nested blocks
    join the outermost one.
    """
    if _batch.get() is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audit_batch() needs an open transaction: its events commit with the changes")
    pending: list[AuditEvent] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    if pending:
        rows_insert(pending)


@dataclass(frozen=True)
class VerifyReport:
    """The result of walking the chain: intact, or the first broken link."""

    count: int
    broken_sequence: int | None = None
    problem: str = ""
    detail: str = ""
    # Events written but not sealed yet, and how long the oldest of them has waited.
    unsealed: int = 0
    oldest_unsealed_age: timedelta | None = None

    @property
    def intact(self) -> bool:
        return not self.problem

    @property
    def backlog(self) -> str:
        if not self.unsealed or self.oldest_unsealed_age is None:
            return "0 awaiting sealing"
        return f"{self.unsealed} awaiting sealing, oldest {self.oldest_unsealed_age.total_seconds():.1f} s"

    def __str__(self) -> str:
        if self.intact:
            return f"audit chain intact: {self.count} events sealed; {self.backlog}"
        return f"audit chain broken at sequence {self.broken_sequence}: {self.problem}: {self.detail}"


def _backlog() -> dict:
    backlog = AuditEvent.objects.unsealed().aggregate(unsealed=Count("id"), oldest=Min("created_at"))
    oldest = backlog["oldest"]
    # Clocks of different processes may disagree by a little; an age is never negative.
    age = max(timezone.now() - oldest, timedelta(0)) if oldest else None
    return {"unsealed": backlog["unsealed"], "oldest_unsealed_age": age}


def audit_verify() -> VerifyReport:
    """Walks the sealed chain in sequence order and reports the first event that does not hold.

    Detected: any edited, deleted, reordered or renumbered sealed event, and sealed events cut
    off the end of the chain (the chain head remembers the last sequence and hash). Not
    detectable: an event deleted or altered before it was sealed; the chain never saw it. The
    report therefore also counts the events awaiting sealing and gives the age of the oldest.
    """
    head = AuditChainHead.objects.filter(pk=AuditChainHead.SINGLETON_ID).first()
    backlog = _backlog()
    events = AuditEvent.objects.sealed().order_by("sequence")
    if head is not None:
        # Events sealed while we walk are not ours to judge: the head was read first, and a
        # batch commits together with the head update that covers it.
        events = events.filter(sequence__lte=head.last_sequence)
    expected = 1
    previous_hash = GENESIS_HASH
    for event in events.iterator(chunk_size=2000):
        verified = expected - 1
        if event.sequence != expected:
            return VerifyReport(
                **backlog,
                count=verified,
                broken_sequence=expected,
                problem=MISSING_SEQUENCE,
                detail=f"expected #{expected}, the next event is #{event.sequence} (deleted rows)",
            )
        recomputed = event_hash(
            sequence=event.sequence,
            created_at=event.created_at,
            application_id=event.application_id,
            actor=event.actor,
            action=event.action,
            data=event.data,
            previous_hash=event.previous_hash,
        )
        if recomputed != event.hash:
            return VerifyReport(
                **backlog,
                count=verified,
                broken_sequence=event.sequence,
                problem=HASH_MISMATCH,
                detail="the event's content does not match its stored hash (the row was altered)",
            )
        if event.previous_hash != previous_hash:
            return VerifyReport(
                **backlog,
                count=verified,
                broken_sequence=event.sequence,
                problem=BROKEN_LINK,
                detail=f"previous_hash {event.previous_hash[:12]}… is not the hash of #{expected - 1}",
            )
        previous_hash = event.hash
        expected += 1
    last_sequence = expected - 1
    if head is None:
        if last_sequence == 0:
            return VerifyReport(count=0, **backlog)
        return VerifyReport(
            **backlog,
            count=last_sequence,
            broken_sequence=last_sequence,
            problem=HEAD_MISMATCH,
            detail="the chain-head row is missing",
        )
    if head.last_sequence > last_sequence:
        return VerifyReport(
            **backlog,
            count=last_sequence,
            broken_sequence=last_sequence + 1,
            problem=MISSING_SEQUENCE,
            detail=(
                f"the chain ends at #{last_sequence} but the head records #{head.last_sequence} (newest events deleted)"
            ),
        )
    if last_sequence and head.last_hash != previous_hash:
        return VerifyReport(
            **backlog,
            count=last_sequence,
            broken_sequence=last_sequence,
            problem=HEAD_MISMATCH,
            detail="the newest event's hash is not the one the chain head records",
        )
    return VerifyReport(count=last_sequence, **backlog)
