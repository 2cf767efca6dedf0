"""Admin screens for the rule-library lists: versions, entries and live registrations."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rules.lists import DISHONEST_PERSONS
from rules.models import ListEntry, ListVersion, RegisteredEnterprise
from rules.services import version_publish


@admin.register(ListVersion)
class ListVersionAdmin(admin.ModelAdmin):
    list_display = ("kind", "number", "status", "entry_count", "published_at", "created_at", "source")
    list_filter = ("kind", "status")
    search_fields = ("kind", "source")
    readonly_fields = ("kind", "number", "status", "token", "entry_count", "created_at", "published_at")
    ordering = ("kind", "-number")
    actions = ("publish_selected",)

    @admin.action(description="Publish the selected version (archives the current one)")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[ListVersion]) -> None:
        if queryset.values("kind").distinct().count() != queryset.count():
            self.message_user(request, "Select at most one version per list kind.", level=messages.ERROR)
            return
        for version in queryset:
            version_publish(kind=version.kind, number=version.number)
            self.message_user(request, f"Published {version.kind} version {version.number}.")


@admin.register(ListEntry)
class ListEntryAdmin(admin.ModelAdmin):
    list_display = ("version", "line", "key_shown", "ref")
    list_filter = ("version__kind",)
    search_fields = ("key", "ref")
    list_select_related = ("version",)
    raw_id_fields = ("version",)
    # Lists reach millions of rows: an exact COUNT(*) on every page would be the slowest part.
    show_full_result_count = False
    # A version is what was imported and published; editing its rows in place would make the
    # record of which list a decision used untrue. Entries are read-only: import a new version.
    fields = ("version", "line", "key_shown", "ref", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ListEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ListEntry | None = None) -> bool:
        return False

    @admin.display(description="key")
    def key_shown(self, entry: ListEntry) -> str:
        # The list view is what gets screenshotted and shared: it masks ID numbers. The row data
        # on the detail page stays complete for the list's owner.
        if entry.version.kind == DISHONEST_PERSONS:
            return str(entry.data.get("id_number", ""))
        return entry.key


@admin.register(RegisteredEnterprise)
class RegisteredEnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "registered_at")
    search_fields = ("name", "credit_code")
    readonly_fields = ("name_key", "registered_at")
