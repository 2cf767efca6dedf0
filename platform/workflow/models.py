from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    """A task to publish, written in the same transaction as the state that needs it.

    Published after commit and, failing that, by the periodic relay, so a crash between commit
    and publish loses nothing; a crash after publish and before marking only repeats an
    idempotent task.
    """

    task = models.CharField(max_length=100)
    kwargs = models.JSONField(default=dict)
    queue = models.CharField(max_length=60)
    available_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    publish_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The relay reads only unpublished rows: a partial index keeps that read independent
            # of how many published rows await pruning.
            models.Index(
                fields=["available_at"], condition=Q(published_at__isnull=True), name="outbox_unpublished_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}({self.kwargs})"
