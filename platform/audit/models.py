from django.db import models


class AuditEvent(models.Model):
    """One entry of the append-only event log (全程留痕). Rows are never updated or deleted."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    application_id = models.UUIDField(null=True, blank=True, db_index=True)
    actor = models.CharField(max_length=100, help_text="system, user:<name> or client:<name>")
    action = models.CharField(max_length=60)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}"
