from django.contrib import admin

from audit.models import AuditChainHead, AuditEvent
from config.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "created_at", "application_id", "actor", "action", "short_hash"]
    list_filter = ["action"]
    search_fields = ["application_id", "actor", "=sequence"]
    readonly_fields = ["sequence", "created_at", "application_id", "actor", "action", "data", "previous_hash", "hash"]

    @admin.display(description="hash")
    def short_hash(self, event: AuditEvent) -> str | None:
        # None until the sequencer seals the event; the admin shows its empty-value dash.
        return f"{event.hash[:12]}…" if event.hash else None


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ["last_sequence", "last_hash", "updated_at"]
