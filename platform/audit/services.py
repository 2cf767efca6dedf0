"""Appending to and verifying the hash-chained audit log.

Every append locks the single chain-head row inside the caller's transaction, so appends from
every process are serialized and the sequence stays gap-free: an event rolled back with its
transaction takes its sequence number with it. On PostgreSQL the lock is SELECT … FOR UPDATE;
on SQLite every transaction is already BEGIN IMMEDIATE, which serializes writers the same way.
The head lock is held until the caller commits, so callers take it after their own row locks
(application, then children, then the audit head): one global order means no deadlocks.
"""

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.chain import GENESIS_HASH, canonical_data, event_hash
from audit.models import AuditChainHead, AuditEvent

SYSTEM = "system"

HASH_MISMATCH = "hash mismatch"
BROKEN_LINK = "broken previous link"
MISSING_SEQUENCE = "missing sequence"
HEAD_MISMATCH = "chain head mismatch"


def _chain_head_lock() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=AuditChainHead.SINGLETON_ID).first()
    if head is None:
        # The migration creates the head; a flushed test database does not have it. Seeding it
        # from the newest event keeps appends working; ON CONFLICT DO NOTHING lets two first
        # appends race safely (the loser waits for the winner's row, then locks it).
        last = AuditEvent.objects.order_by("-sequence").first()
        AuditChainHead.objects.bulk_create(
            [
                AuditChainHead(
                    id=AuditChainHead.SINGLETON_ID,
                    last_sequence=last.sequence if last else 0,
                    last_hash=last.hash if last else "",
                )
            ],
            ignore_conflicts=True,
        )
        head = AuditChainHead.objects.select_for_update().get(pk=AuditChainHead.SINGLETON_ID)
    return head


def audit_record(
    *, action: str, actor: str = SYSTEM, application_id: uuid.UUID | None = None, **data: object
) -> AuditEvent:
    """Appends an event. Callers pass IDs, states and reasons; never personal data.

    Runs in the caller's transaction when there is one, so the event commits or rolls back with
    the change it records.
    """
    # A hex string and a UUID must hash alike: the column hands back a UUID either way.
    application_uuid = uuid.UUID(str(application_id)) if application_id else None
    stored_data = canonical_data(data)
    with transaction.atomic(savepoint=False):
        head = _chain_head_lock()
        sequence = head.last_sequence + 1
        previous_hash = head.last_hash if head.last_sequence else GENESIS_HASH
        # Taken under the lock, so timestamps follow the sequence.
        created_at = timezone.now()
        digest = event_hash(
            sequence=sequence,
            created_at=created_at,
            application_id=application_uuid,
            actor=actor,
            action=action,
            data=stored_data,
            previous_hash=previous_hash,
        )
        event = AuditEvent.objects.create(
            sequence=sequence,
            created_at=created_at,
            application_id=application_uuid,
            actor=actor,
            action=action,
            data=stored_data,
            previous_hash=previous_hash,
            hash=digest,
        )
        AuditChainHead.objects.filter(pk=head.pk).update(
            last_sequence=sequence, last_hash=digest, updated_at=created_at
        )
    return event


@dataclass(frozen=True)
class VerifyReport:
    """The result of walking the chain: intact, or the first broken link."""

    count: int
    broken_sequence: int | None = None
    problem: str = ""
    detail: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem

    def __str__(self) -> str:
        if self.intact:
            return f"audit chain intact: {self.count} events"
        return f"audit chain broken at sequence {self.broken_sequence}: {self.problem}: {self.detail}"


def audit_verify() -> VerifyReport:
    """Walks the chain in sequence order and reports the first event that does not hold."""
    head = AuditChainHead.objects.filter(pk=AuditChainHead.SINGLETON_ID).first()
    events = AuditEvent.objects.order_by("sequence")
    if head is not None:
        # Events appended while we walk are not ours to judge: the head was read first, and an
        # event commits together with the head update that covers it.
        events = events.filter(sequence__lte=head.last_sequence)
    expected = 1
    previous_hash = GENESIS_HASH
    for event in events.iterator(chunk_size=2000):
        verified = expected - 1
        if event.sequence != expected:
            return VerifyReport(
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
                count=verified,
                broken_sequence=event.sequence,
                problem=HASH_MISMATCH,
                detail="the event's content does not match its stored hash (the row was altered)",
            )
        if event.previous_hash != previous_hash:
            return VerifyReport(
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
            return VerifyReport(count=0)
        return VerifyReport(
            count=last_sequence,
            broken_sequence=last_sequence,
            problem=HEAD_MISMATCH,
            detail="the chain-head row is missing",
        )
    if head.last_sequence > last_sequence:
        return VerifyReport(
            count=last_sequence,
            broken_sequence=last_sequence + 1,
            problem=MISSING_SEQUENCE,
            detail=(
                f"the chain ends at #{last_sequence} but the head records #{head.last_sequence} (newest events deleted)"
            ),
        )
    if last_sequence and head.last_hash != previous_hash:
        return VerifyReport(
            count=last_sequence,
            broken_sequence=last_sequence,
            problem=HEAD_MISMATCH,
            detail="the newest event's hash is not the one the chain head records",
        )
    return VerifyReport(count=last_sequence)
