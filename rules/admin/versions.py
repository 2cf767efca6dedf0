"""List versions in the admin: history by kind and layer, publishing (golden cases, impact
preview), diff, export, and the links to import, the console and the hit counts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from rules import engine, selectors
from rules.admin import imports
from rules.admin.console import TryItForm, console_run
from rules.admin.scoping import (
    DepartmentScoped,
    can_edit_scope,
    require_kind,
    require_scope,
    user_departments,
    user_kinds,
    user_libraries,
    visible_scopes,
)
from rules.jurisdictions import NATIONAL, scope_label
from rules.models import ListVersion
from rules.services import (
    PublishRefused,
    golden_cases_run,
    impact_preview,
    version_diff,
    version_export_rows,
    version_publish,
)
from rules.services.export import export_csv_lines, export_xlsx


class PublishForm(forms.Form):
    effective_at = imports.ImportForm.base_fields["effective_at"]
    preview_limit = forms.IntegerField(label="影响预览申请数 / applications to preview", min_value=0, initial=50)


class ScopeFilter(admin.SimpleListFilter):
    title = _("适用范围")
    parameter_name = "scope"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        scopes = sorted(set(ListVersion.objects.values_list("scope", flat=True)))
        return [(s, scope_label(s)) for s in visible_scopes(request.user, scopes)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(scope=self.value()) if self.value() else queryset


@admin.register(ListVersion)
class ListVersionAdmin(DepartmentScoped, admin.ModelAdmin):
    list_display = (
        "kind",
        "layer",
        "number",
        "status",
        "in_effect",
        "entry_count",
        "relaxations",
        "effective_from",
        "published_by",
        "created_at",
        "source",
        "tools",
    )
    list_filter = ("kind", ScopeFilter, "status")
    search_fields = ("kind", "scope", "source", "published_by")
    readonly_fields = (
        "kind",
        "scope",
        "number",
        "status",
        "token",
        "entry_count",
        "source",
        "created_by",
        "created_at",
        "published_at",
        "published_by",
        "effective_from",
    )
    fields = readonly_fields
    ordering = ("kind", "scope", "-number")
    actions = ("publish_selected",)
    change_list_template = "admin/rules/listversion/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from imports

    def get_queryset(self, request: HttpRequest) -> QuerySet[ListVersion]:
        versions = super().get_queryset(request).filter(kind__in=user_kinds(request.user))
        scopes = sorted(set(versions.values_list("scope", flat=True)))
        return versions.filter(scope__in=visible_scopes(request.user, scopes))

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="rules_listversion_import"),
            path("import/<int:pk>/", wrap(self.import_job_view), name="rules_importjob_progress"),
            path("import/<int:pk>/status/", wrap(self.import_job_status_view), name="rules_importjob_status"),
            path("tryit/", wrap(self.tryit_view), name="rules_tryit"),
            path("hits/", wrap(self.hits_view), name="rules_hits"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="rules_listversion_publish"),
            path("<int:pk>/diff/", wrap(self.diff_view), name="rules_listversion_diff"),
            path("<int:pk>/export/", wrap(self.export_view), name="rules_listversion_export"),
            *super().get_urls(),
        ]

    @admin.display(description=_("适用范围"), ordering="scope")
    def layer(self, version: ListVersion) -> str:
        return scope_label(version.scope)

    @admin.display(description="in effect")
    def in_effect(self, version: ListVersion) -> bool:
        current = selectors.published_version(kind=version.kind, scope=version.scope)
        return current is not None and current.id == version.pk

    @admin.display(description=_("放宽上级"))
    def relaxations(self, version: ListVersion) -> SafeString | str:
        """Entries that relax an enclosing layer (each with its recorded legal basis)."""
        if version.scope == NATIONAL:
            return ""
        count = version.entries.filter(data__has_key="relaxes").count()
        if not count:
            return "0"
        url = reverse("admin:rules_listentry_changelist") + f"?version__id__exact={version.pk}&relaxes=yes"
        return format_html_join("", '<a href="{}">{}</a>', [(url, count)])

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        # The tools column depends on the user: a layer they only see has no "publish" link.
        def tools(version: ListVersion) -> SafeString:
            return self.tools(version, editable=can_edit_scope(request.user, version.scope))

        tools.short_description = "tools"  # type: ignore[attr-defined]
        return [*self.list_display[:-1], tools]

    def tools(self, version: ListVersion, *, editable: bool) -> SafeString:
        links = [
            (reverse("admin:rules_listentry_changelist") + f"?version__id__exact={version.pk}", "entries"),
            (reverse("admin:rules_listversion_export", args=[version.pk]) + "?format=csv", "CSV"),
            (reverse("admin:rules_listversion_export", args=[version.pk]) + "?format=xlsx", "XLSX"),
        ]
        if editable:
            links.insert(1, (reverse("admin:rules_listversion_publish", args=[version.pk]), "publish…"))
        if version.number > 1:
            links.insert(1, (reverse("admin:rules_listversion_diff", args=[version.pk]), "diff"))
        shown = format_html_join(" · ", '<a href="{}">{}</a>', links)
        if not editable:
            return format_html('{} · <span class="ow-readonly">只读 / read-only</span>', shown)
        return shown

    def context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "departments": user_departments(request.user),
            **extra,
        }

    def _version(self, request: HttpRequest, pk: int, *, edit: bool) -> ListVersion:
        version = get_object_or_404(ListVersion, pk=pk)
        require_kind(request, version.kind)
        require_scope(request, version.scope, edit=edit)
        return version

    # Publishing ---------------------------------------------------------------------------------

    @admin.action(description="Publish the selected version (golden cases must pass)")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[ListVersion]) -> None:
        if queryset.values("kind", "scope").distinct().count() != queryset.count():
            self.message_user(request, "Select at most one version per list kind and layer.", level=messages.ERROR)
            return
        for version in queryset:
            require_kind(request, version.kind)
            require_scope(request, version.scope)
            try:
                version_publish(
                    kind=version.kind,
                    number=version.number,
                    scope=version.scope,
                    published_by=request.user.get_username(),
                )
            except PublishRefused as refused:
                self.message_user(request, f"Not published: {refused}", level=messages.ERROR)
                continue
            self.message_user(request, f"Published {version}.")

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = self._version(request, pk, edit=True)
        form = PublishForm(request.POST or None, initial={"preview_limit": 50})
        golden = golden_cases_run(kind=version.kind, version_id=version.pk)
        limit = 50
        if form.is_valid():
            limit = form.cleaned_data["preview_limit"] or 0
        impact = impact_preview(kind=version.kind, number=version.number, limit=limit, scope=version.scope)
        if request.method == "POST" and "publish" in request.POST and form.is_valid():
            try:
                version_publish(
                    kind=version.kind,
                    number=version.number,
                    scope=version.scope,
                    published_by=request.user.get_username(),
                    effective_at=form.cleaned_data["effective_at"],
                )
            except PublishRefused as refused:
                messages.error(
                    request, f"发布被拒绝 / publication refused: {len(refused.failures)} golden case(s) fail."
                )
            else:
                messages.success(request, f"已发布 / published {version.kind} version {version.number}.")
                return HttpResponseRedirect(reverse("admin:rules_listversion_changelist"))
        return TemplateResponse(
            request,
            "admin/rules/listversion/publish.html",
            self.context(
                request,
                f"发布 / publish {version.kind} v{version.number} · {scope_label(version.scope)}",
                version=version,
                form=form,
                golden=golden,
                failing=[g for g in golden if not g.passed],
                impact=impact,
                libraries=engine.libraries_using(version.kind),
            ),
        )

    # Diff and export ----------------------------------------------------------------------------

    def diff_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = self._version(request, pk, edit=False)
        numbers = list(
            ListVersion.objects.filter(kind=version.kind, scope=version.scope)
            .exclude(pk=pk)
            .order_by("-number")
            .values_list("number", flat=True)
        )
        try:
            against = int(request.GET.get("against") or max((n for n in numbers if n < version.number), default=0))
        except ValueError:
            against = 0
        diff = (
            version_diff(kind=version.kind, old=against, new=version.number, scope=version.scope)
            if against in numbers
            else None
        )
        return TemplateResponse(
            request,
            "admin/rules/listversion/diff.html",
            self.context(
                request,
                f"差异 / diff {version.kind} v{against} → v{version.number}",
                version=version,
                diff=diff,
                numbers=numbers,
                against=against,
            ),
        )

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = self._version(request, pk, edit=False)
        header, rows = version_export_rows(version_id=version.pk)
        where = "" if version.scope == NATIONAL else f"-{version.scope}"
        filename = f"{version.kind}{where}-v{version.number}"
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(
                export_xlsx(header, rows, sheet_name=version.kind),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
            return response
        response = StreamingHttpResponse(export_csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response

    # Import -------------------------------------------------------------------------------------

    def import_view(self, request: HttpRequest) -> HttpResponse:
        return imports.import_view(self, request)

    def import_job_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return imports.job_progress_view(self, request, pk)

    def import_job_status_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return imports.job_status_view(self, request, pk)

    # Try it -------------------------------------------------------------------------------------

    def tryit_view(self, request: HttpRequest) -> HttpResponse:
        from django.core.exceptions import PermissionDenied

        libraries = user_libraries(request.user)
        if not libraries:
            raise PermissionDenied
        form = TryItForm(request.POST or None)
        results: list[dict[str, Any]] = []
        notes: list[str] = []
        if request.method == "POST" and form.is_valid():
            results, notes = console_run(form.subject(), libraries)
        return TemplateResponse(
            request,
            "admin/rules/tryit.html",
            self.context(request, "试一试 / try it", form=form, results=results, notes=notes),
        )

    # Hits -----------------------------------------------------------------------------------------

    def hits_view(self, request: HttpRequest) -> HttpResponse:
        from django.core.exceptions import PermissionDenied

        kinds = user_kinds(request.user)
        if not kinds:
            raise PermissionDenied
        rows = selectors.hit_summary(libraries=user_libraries(request.user), list_kinds=kinds, days=30)
        for row in rows:
            # The entry's identity: a word, an address code, a case number; never an ID number.
            row["label"] = row["entry"]
        return TemplateResponse(
            request,
            "admin/rules/hits.html",
            self.context(request, "近30日命中 / hits over the last 30 days", rows=rows),
        )
