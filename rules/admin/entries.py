"""List entries in the admin: read-only (a version is what was imported), searchable, with hit
counts and, for local layers, the enclosing entry each relaxation lifts and its legal basis."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rules import selectors
from rules.admin.scoping import DepartmentScoped, user_kinds, visible_scopes
from rules.admin_lookup import IdNumberLookupMixin
from rules.jurisdictions import scope_label
from rules.lists import DISHONEST_PERSONS, list_kind_get
from rules.models import ListEntry
from rules.privacy import blind_index


class RelaxationFilter(admin.SimpleListFilter):
    title = _("放宽上级")
    parameter_name = "relaxes"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("只看放宽上级规定的条目"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(data__has_key="relaxes") if self.value() == "yes" else queryset


@admin.register(ListEntry)
class ListEntryAdmin(IdNumberLookupMixin, DepartmentScoped, admin.ModelAdmin):
    list_display = ("version", "line", "key_shown", "ref", "summary", "relaxation", "hits_30d")
    list_filter = (RelaxationFilter, "version__kind", "version__scope", "version__status", "version")
    search_fields = ("key", "ref")
    list_select_related = ("version",)
    raw_id_fields = ("version",)
    # Lists reach millions of rows: an exact COUNT(*) on every page would be the slowest part.
    show_full_result_count = False
    # A version is what was imported and published; editing its rows in place would make the
    # record of which list a decision used untrue. Entries are read-only: import a new version.
    fields = ("version", "line", "key_shown", "ref", "relaxation", "data")
    readonly_fields = fields

    def kind_of(self, obj: ListEntry) -> str:
        return obj.version.kind

    def scope_of(self, obj: ListEntry) -> str:
        return obj.version.scope

    def get_queryset(self, request: HttpRequest) -> QuerySet[ListEntry]:
        entries = super().get_queryset(request).filter(version__kind__in=user_kinds(request.user))
        from rules.models import ListVersion

        scopes = sorted(set(ListVersion.objects.values_list("scope", flat=True)))
        return entries.filter(version__scope__in=visible_scopes(request.user, scopes))

    def id_number_matches(self, queryset: QuerySet, id_number: str) -> QuerySet:
        # The dishonest list stores no ID numbers: an ID number is found by its blind index (on
        # the POST page of rules.admin_lookup, never through the search box's URL).
        return queryset.filter(key=blind_index(id_number))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ListEntry | None = None) -> bool:
        return False

    @admin.display(description="key")
    def key_shown(self, entry: ListEntry) -> str:
        if entry.version.kind == DISHONEST_PERSONS:
            return str(entry.data.get("id_number", ""))  # masked; the key is a blind index
        return entry.key

    @admin.display(description="entry")
    def summary(self, entry: ListEntry) -> str:
        data = entry.data
        for field in ("word", "name", "full_address", "industry", "address", "threshold"):
            if field in data:
                return str(data[field])
        return ""

    @admin.display(description=_("放宽上级"))
    def relaxation(self, entry: ListEntry) -> str:
        relaxes = entry.data.get("relaxes")
        if not relaxes:
            return ""
        spec = list_kind_get(entry.version.kind)
        basis = spec.legal_basis(entry.data)
        return (
            f"{scope_label(relaxes['scope'])} v{relaxes['version']}: {relaxes['was']} → {spec.strictness(entry.data)}"
            f"（依据 / legal basis: {basis}）"
        )

    @admin.display(description="hits (30 d)")
    def hits_30d(self, entry: ListEntry) -> int:
        spec = list_kind_get(entry.version.kind)
        identity = spec.entry_identity(entry.key, entry.ref, entry.data)
        return selectors.hit_counts(list_kind=entry.version.kind, entries=[identity]).get(identity, 0)
