from django.db import models
from django.utils import timezone


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    # Bulk writes would bypass the model's save and delete, so they are refused here too. The
    # sequencer fills the chain fields of unsealed rows through raw SQL of its own
    # (audit/sequencer.py), not through the ORM.
    def update(self, **kwargs: object) -> int:
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def unsealed(self) -> "AuditEventQuerySet":
        return self.filter(sequence__isnull=True)

    def sealed(self) -> "AuditEventQuerySet":
        return self.filter(sequence__isnull=False)


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained event log (全程留痕).

    An event is written unsealed: content, created_at and an insertion id, with the chain fields
    empty. The sequencer (audit/sequencer.py) later seals it: a gap-free sequence number, the
    hash of the event sealed before it, and its own hash over its content and that link (see
    audit/chain.py). Apart from that one sealing, rows are never updated or deleted: the ORM
    refuses, and `manage.py verify_audit` detects changes to sealed events made behind its back.
    """

    sequence = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    application_id = models.UUIDField(null=True, blank=True, db_index=True)
    actor = models.CharField(max_length=100, help_text="system, user:<name> or client:<name>")
    action = models.CharField(max_length=60)
    data = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, null=True, blank=True)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        # Chain order for sealed events; events awaiting sealing follow, in insertion order.
        ordering = [models.F("sequence").asc(nulls_last=True), "id"]
        indexes = [
            # Only the backlog is in it, in id order: the sequencer reads its next batch from
            # here without sorting, at a cost that does not grow with the history. (The unique
            # index on sequence holds the NULLs too, and PostgreSQL uses it when the backlog is
            # small; either way no query about the backlog reads the sealed history.)
            models.Index(
                fields=["id", "created_at"], condition=models.Q(sequence__isnull=True), name="audit_event_unsealed"
            ),
        ]
        constraints = [
            # Sealed means all three chain fields, unsealed means none: a row is never half-sealed.
            models.CheckConstraint(
                condition=(
                    models.Q(sequence__isnull=True, previous_hash__isnull=True, hash__isnull=True)
                    | models.Q(sequence__isnull=False, previous_hash__isnull=False, hash__isnull=False)
                ),
                name="audit_event_sealed_whole",
            ),
        ]

    def __str__(self) -> str:
        position = f"#{self.sequence}" if self.is_sealed else f"(unsealed, id {self.pk})"
        return f"{position} {self.created_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    @property
    def is_sealed(self) -> bool:
        return self.sequence is not None


class AuditChainHead(models.Model):
    """The end of the sealed chain: the last sequence and hash. Only the sequencer writes it.

    Keeping the last sequence and hash here is what makes removing the newest sealed events
    detectable: without it, a chain cut short at the end would still be internally consistent.
    The sequencer locks this row (SELECT … FOR UPDATE) for the length of one batch; appends never
    touch it.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_singleton")]

    def __str__(self) -> str:
        return f"audit chain head: #{self.last_sequence}"
