"""The sequencer: seals committed audit events into the hash chain, in batches, off the hot path.

An append (audit.services.audit_record) is a plain INSERT in the caller's transaction: content,
created_at and an insertion id, with sequence, previous_hash and hash empty. Nothing global is
locked, so writers never queue behind one another. The sequencer then integrates the queued
events into the chain, the way Trillian's log sequencer integrates queued leaves and X-Road's
message log timestamps its records in batches: a Celery beat task (`audit.seal`, every
AUDIT_SEAL_SECONDS) takes the next batch, gives each event the next sequence number, the hash of
the event before it and its own hash (audit/chain.py), and moves the chain head, all in one
transaction.

Chain order is the order of sealing. Each batch takes whatever committed events are still
unsealed, up to AUDIT_SEAL_BATCH_SIZE of them, ordered by id within the batch. Ids are handed
out at insert time but transactions commit in another order, so on PostgreSQL an event with a
lower id can become visible after a higher one was already sealed. Sealing strictly in id order
would need a "safe point" below which no insert is still in flight, which PostgreSQL does not
tell cheaply, and one long transaction would stall the whole chain behind it. Sealing order
needs neither: only the sequencer assigns sequence numbers, always head + 1, head + 2, … under
its lock, so the chain is gap-free by construction, and a late-committing event simply lands in
the next batch. created_at stays the moment the change happened; sequence is the chain
position, and the two may disagree slightly.

The lock, held only by sequencers for the length of one batch:
- PostgreSQL: a transaction-level advisory lock (released by commit, rollback or a dropped
  connection), then the chain-head row SELECT … FOR UPDATE. The periodic task only tries the
  advisory lock: if another sequencer holds it, that one is sealing, and this run returns at
  once instead of queueing behind it.
- SQLite (the embedded default): every transaction is BEGIN IMMEDIATE, which serializes the
  batch against every other writer, and the batch ends by updating the chain-head row.
Two sequencers can therefore never fork the chain. The unique constraints on sequence and hash
are the last line: a fork would fail to commit.

A batch is all or nothing. The chain fields are filled with raw SQL of the sequencer's own (the
ORM refuses every update of an event), only where they are still empty, and only once per row;
if any row of the batch was not updated as expected, or the process dies half-way, the
transaction rolls back, no row is left half-sealed (a check constraint forbids it anyway), and
the next run seals the same events again. That makes the task idempotent.

What the chain cannot see: an event deleted or altered *before* it is sealed. Until then it is
just a row; `verify_audit` reports how many events await sealing and the age of the oldest, so
a growing backlog is visible, and a short AUDIT_SEAL_SECONDS keeps that window small.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.chain import GENESIS_HASH, event_hash
from audit.models import AuditChainHead, AuditEvent

# The key of the PostgreSQL advisory lock the sequencers share; no other part of OneWindow uses
# advisory locks. ("OWAUDIT" in ASCII.)
SEQUENCER_LOCK_KEY = 0x4F_57_41_55_44_49_54


class SealingConflict(Exception):
    """A row of the batch was not in the state the batch read it in; the batch is rolled back."""


@dataclass(frozen=True)
class _Unsealed:
    id: int
    created_at: datetime
    application_id: uuid.UUID | None
    actor: str
    action: str
    data: dict


def _sequencer_lock(*, wait: bool) -> bool:
    if connection.vendor != "postgresql":
        # BEGIN IMMEDIATE already made this transaction the only writer.
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCER_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEQUENCER_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _chain_head_for_update() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=AuditChainHead.SINGLETON_ID).first()
    if head is None:
        # The migration creates the head; a flushed test database does not have it. Seeding it
        # from the newest sealed event keeps sealing working; ON CONFLICT DO NOTHING makes a
        # race with another seed harmless.
        last = AuditEvent.objects.sealed().order_by("-sequence").first()
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


def _next_batch(*, limit: int) -> list[_Unsealed]:
    rows = (
        AuditEvent.objects.unsealed()
        .order_by("id")
        .values_list("id", "created_at", "application_id", "actor", "action", "data")[:limit]
    )
    return [_Unsealed(*row) for row in rows]


def _fill_chain_fields(updates: list[tuple[int, str, str, int]]) -> None:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    # "sequence IS NULL": a row is sealed once; a sealed row is never written again.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for the batch: several times faster than one UPDATE per row.
            sequences, previous_hashes, hashes, ids = (list(column) for column in zip(*updates, strict=True))
            cursor.execute(
                f"UPDATE {table} AS event"
                " SET sequence = batch.sequence, previous_hash = batch.previous_hash, hash = batch.hash"
                " FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::bigint[])"
                " AS batch (sequence, previous_hash, hash, id)"
                " WHERE event.id = batch.id AND event.sequence IS NULL",
                [sequences, previous_hashes, hashes, ids],
            )
        else:
            # SQLite runs in-process: one UPDATE per row costs little.
            cursor.executemany(
                f"UPDATE {table} SET sequence = %s, previous_hash = %s, hash = %s WHERE id = %s AND sequence IS NULL",
                updates,
            )
        filled = cursor.rowcount
    if filled != len(updates):
        raise SealingConflict(f"{len(updates)} events read for sealing, {filled} sealed")


def audit_seal(*, limit: int | None = None, wait: bool = True) -> int:
    """Seals the next batch of committed, unsealed events (at most `limit`); returns how many.

    With nothing to seal this is one query on the partial index of unsealed events, without a
    lock or a write transaction. With wait=False it gives up at once (returns 0) when another
    sequencer holds the lock on PostgreSQL.
    """
    batch_size = limit or settings.AUDIT_SEAL_BATCH_SIZE
    if not AuditEvent.objects.unsealed().exists():
        return 0
    with transaction.atomic():
        if not _sequencer_lock(wait=wait):
            return 0
        head = _chain_head_for_update()
        # Read after the lock, so this batch sees everything the previous one sealed.
        batch = _next_batch(limit=batch_size)
        if not batch:
            return 0
        sequence = head.last_sequence
        previous_hash = head.last_hash if head.last_sequence else GENESIS_HASH
        updates = []
        for event in batch:
            sequence += 1
            digest = event_hash(
                sequence=sequence,
                created_at=event.created_at,
                application_id=event.application_id,
                actor=event.actor,
                action=event.action,
                data=event.data,
                previous_hash=previous_hash,
            )
            updates.append((sequence, previous_hash, digest, event.id))
            previous_hash = digest
        _fill_chain_fields(updates)
        AuditChainHead.objects.filter(pk=head.pk).update(
            last_sequence=sequence, last_hash=previous_hash, updated_at=timezone.now()
        )
    return len(batch)


def audit_seal_backlog(*, wait: bool = True, max_seconds: float | None = None) -> int:
    """Seals batch after batch until a batch comes back short (or max_seconds is spent).

    Each batch is its own transaction, so the lock is never held longer than one batch.
    """
    batch_size = settings.AUDIT_SEAL_BATCH_SIZE
    deadline = time.monotonic() + max_seconds if max_seconds else None
    total = 0
    while True:
        sealed = audit_seal(limit=batch_size, wait=wait)
        total += sealed
        if sealed < batch_size or (deadline is not None and time.monotonic() >= deadline):
            return total
