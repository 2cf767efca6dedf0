"""Admin screens for the rule libraries, scoped by department.

A department administrator (a staff user in group ``department_admin`` and in ``dept:<code>``
groups) sees and works on only the list kinds their departments own (rules.lists: each kind
declares its department); a superuser sees everything. Besides the version and entry lists,
the screens are: bulk import (CSV and XLSX, with the line-numbered error report of CONTRACT
§2), export, version history with a diff, publishing with golden cases and an impact preview,
a "try it" console, and hit counts over the last 30 days.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from rules import engine, selectors
from rules.admin_lookup import IdNumberLookupMixin
from rules.engine import PersonFacts, Ports, Subject
from rules.lists import DISHONEST_PERSONS, list_kind_get, list_kinds_of_departments
from rules.models import GoldenCase, HitCount, ListEntry, ListVersion, RegisteredEnterprise
from rules.privacy import blind_index
from rules.services import (
    ImportFailed,
    PublishRefused,
    golden_cases_run,
    golden_document_seal,
    impact_preview,
    list_import,
    version_diff,
    version_export_rows,
    version_publish,
)

DEPARTMENT_ADMIN_GROUP = "department_admin"
DEPARTMENT_GROUP_PREFIX = "dept:"
DEPARTMENT_LABELS = {
    "market_regulation": "市场监管 / market regulation",
    "natural_resources": "自然资源 / natural resources",
    "court": "法院 / court",
}


# --- Scoping ------------------------------------------------------------------------------------


def user_departments(user: Any) -> set[str] | None:
    """The departments whose lists ``user`` administers; None means every department."""
    if not user.is_active or not user.is_staff:
        return set()
    if user.is_superuser:
        return None
    names = set(user.groups.values_list("name", flat=True))
    if DEPARTMENT_ADMIN_GROUP not in names:
        return set()
    return {n.removeprefix(DEPARTMENT_GROUP_PREFIX) for n in names if n.startswith(DEPARTMENT_GROUP_PREFIX)}


def user_kinds(user: Any) -> list[str]:
    return list_kinds_of_departments(user_departments(user))


def user_libraries(user: Any) -> list[str]:
    """Libraries that read at least one of the user's lists (identity needs none: superusers)."""
    departments = user_departments(user)
    if departments is None:
        return engine.library_codes(include_inactive=True)
    kinds = set(user_kinds(user))
    return [code for code in engine.library_codes(include_inactive=True) if kinds & set(_library_lists(code))]


def _library_lists(code: str) -> tuple[str, ...]:
    return engine._registry[code].list_kinds


def _require_kind(request: HttpRequest, kind: str) -> None:
    if kind not in user_kinds(request.user):
        raise PermissionDenied("This list belongs to another department.")


class DepartmentScoped:
    """Permissions by department instead of per-model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(user_kinds(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        kinds = user_kinds(request.user)
        return bool(kinds) and (obj is None or self.kind_of(obj) in kinds)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(user_kinds(request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def kind_of(self, obj: Any) -> str:
        return obj.kind


# --- Versions -------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="名单 / list")
    file = forms.FileField(label="文件 / file (CSV or XLSX)")
    publish = forms.BooleanField(label="导入后发布 / publish after import", required=False)
    effective_at = forms.DateTimeField(
        label="生效时间 / effective from (empty: now)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args: Any, kinds: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, f"{k} — {list_kind_get(k).label}") for k in kinds]


class PublishForm(forms.Form):
    effective_at = ImportForm.base_fields["effective_at"]
    preview_limit = forms.IntegerField(label="影响预览申请数 / applications to preview", min_value=0, initial=50)


class TryItForm(forms.Form):
    company_name = forms.CharField(label="企业名称 / company name", required=False)
    address = forms.CharField(label="住所 / address", required=False)
    business_scope = forms.CharField(label="经营范围 / business scope", required=False)
    registered_capital = forms.CharField(label="注册资本（元）/ registered capital (yuan)", required=False)
    person_name = forms.CharField(label="人员姓名 / person's name", required=False)
    person_id_number = forms.CharField(label="身份证号码 / ID number", required=False)


def xlsx_to_csv(data: bytes) -> str:
    """The first sheet of an XLSX workbook as CSV text, one line per row, so line numbers in the
    error report are the spreadsheet's row numbers."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow([_cell(v) for v in row])
    workbook.close()
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    # A line break inside a cell would shift the line numbers of every later row.
    return str(value).replace("\r", " ").replace("\n", " ")


@admin.register(ListVersion)
class ListVersionAdmin(DepartmentScoped, admin.ModelAdmin):
    list_display = (
        "kind",
        "number",
        "status",
        "in_effect",
        "entry_count",
        "effective_from",
        "published_by",
        "created_at",
        "source",
        "tools",
    )
    list_filter = ("kind", "status")
    search_fields = ("kind", "source", "published_by")
    readonly_fields = (
        "kind",
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
    ordering = ("kind", "-number")
    actions = ("publish_selected",)
    change_list_template = "admin/rules/listversion/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from imports

    def get_queryset(self, request: HttpRequest) -> QuerySet[ListVersion]:
        return super().get_queryset(request).filter(kind__in=user_kinds(request.user))

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="rules_listversion_import"),
            path("tryit/", wrap(self.tryit_view), name="rules_tryit"),
            path("hits/", wrap(self.hits_view), name="rules_hits"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="rules_listversion_publish"),
            path("<int:pk>/diff/", wrap(self.diff_view), name="rules_listversion_diff"),
            path("<int:pk>/export/", wrap(self.export_view), name="rules_listversion_export"),
            *super().get_urls(),
        ]

    @admin.display(description="in effect")
    def in_effect(self, version: ListVersion) -> bool:
        current = selectors.published_version(kind=version.kind)
        return current is not None and current.id == version.pk

    @admin.display(description="tools")
    def tools(self, version: ListVersion) -> SafeString:
        links = [
            (reverse("admin:rules_listentry_changelist") + f"?version__id__exact={version.pk}", "entries"),
            (reverse("admin:rules_listversion_publish", args=[version.pk]), "publish…"),
            (reverse("admin:rules_listversion_export", args=[version.pk]) + "?format=csv", "CSV"),
            (reverse("admin:rules_listversion_export", args=[version.pk]) + "?format=xlsx", "XLSX"),
        ]
        if version.number > 1:
            links.insert(1, (reverse("admin:rules_listversion_diff", args=[version.pk]), "diff"))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def _context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "departments": user_departments(request.user),
            **extra,
        }

    # Publishing ---------------------------------------------------------------------------------

    @admin.action(description="Publish the selected version (golden cases must pass)")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[ListVersion]) -> None:
        if queryset.values("kind").distinct().count() != queryset.count():
            self.message_user(request, "Select at most one version per list kind.", level=messages.ERROR)
            return
        for version in queryset:
            _require_kind(request, version.kind)
            try:
                version_publish(kind=version.kind, number=version.number, published_by=request.user.get_username())
            except PublishRefused as refused:
                self.message_user(request, f"Not published: {refused}", level=messages.ERROR)
                continue
            self.message_user(request, f"Published {version.kind} version {version.number}.")

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(ListVersion, pk=pk)
        _require_kind(request, version.kind)
        form = PublishForm(request.POST or None, initial={"preview_limit": 50})
        golden = golden_cases_run(kind=version.kind, version_id=version.pk)
        limit = 50
        if form.is_valid():
            limit = form.cleaned_data["preview_limit"] or 0
        impact = impact_preview(kind=version.kind, number=version.number, limit=limit)
        if request.method == "POST" and "publish" in request.POST and form.is_valid():
            try:
                version_publish(
                    kind=version.kind,
                    number=version.number,
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
            self._context(
                request,
                f"发布 / publish {version.kind} v{version.number}",
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
        version = get_object_or_404(ListVersion, pk=pk)
        _require_kind(request, version.kind)
        numbers = list(
            ListVersion.objects.filter(kind=version.kind)
            .exclude(pk=pk)
            .order_by("-number")
            .values_list("number", flat=True)
        )
        try:
            against = int(request.GET.get("against") or max((n for n in numbers if n < version.number), default=0))
        except ValueError:
            against = 0
        diff = version_diff(kind=version.kind, old=against, new=version.number) if against in numbers else None
        return TemplateResponse(
            request,
            "admin/rules/listversion/diff.html",
            self._context(
                request,
                f"差异 / diff {version.kind} v{against} → v{version.number}",
                version=version,
                diff=diff,
                numbers=numbers,
                against=against,
            ),
        )

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(ListVersion, pk=pk)
        _require_kind(request, version.kind)
        header, rows = version_export_rows(version_id=version.pk)
        filename = f"{version.kind}-v{version.number}"
        if request.GET.get("format") == "xlsx":
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet(version.kind)
            sheet.append(header)
            for row in rows:
                sheet.append(row)
            buffer = io.BytesIO()
            workbook.save(buffer)
            response = HttpResponse(
                buffer.getvalue(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
            return response

        def lines() -> Iterable[str]:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            yield "\ufeff" + out.getvalue()
            for row in rows:
                out.seek(0)
                out.truncate()
                writer.writerow(row)
                yield out.getvalue()

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response

    # Import -------------------------------------------------------------------------------------

    def import_view(self, request: HttpRequest) -> HttpResponse:
        kinds = user_kinds(request.user)
        if not kinds:
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
        errors: list[tuple[int, str]] = []
        filename = ""
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            filename = upload.name
            kind = form.cleaned_data["kind"]
            _require_kind(request, kind)
            raw = upload.read()
            text = ""
            try:
                if filename.lower().endswith(".xlsx"):
                    text = xlsx_to_csv(raw)
                else:
                    text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                errors = [(0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
            except Exception as exc:
                errors = [(0, f"unreadable workbook: {type(exc).__name__}")]
            if not errors:
                try:
                    summary = list_import(
                        kind=kind,
                        text=text,
                        publish=form.cleaned_data["publish"],
                        source=filename,
                        published_by=request.user.get_username(),
                        effective_at=form.cleaned_data["effective_at"],
                    )
                except ImportFailed as failure:
                    errors = failure.errors
                else:
                    messages.success(request, summary.line())
                    return HttpResponseRedirect(reverse("admin:rules_listversion_changelist") + f"?kind__exact={kind}")
        return TemplateResponse(
            request,
            "admin/rules/listversion/import.html",
            self._context(
                request,
                "批量导入 / bulk import",
                form=form,
                errors=errors,
                filename=filename,
                columns=[(k, list_kind_get(k).required, list_kind_get(k).optional) for k in kinds],
            ),
        )

    # Try it -------------------------------------------------------------------------------------

    def tryit_view(self, request: HttpRequest) -> HttpResponse:
        libraries = user_libraries(request.user)
        if not libraries:
            raise PermissionDenied
        form = TryItForm(request.POST or None)
        results: list[dict[str, Any]] = []
        notes: list[str] = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            capital = None
            if data["registered_capital"]:
                try:
                    capital = Decimal(data["registered_capital"].replace(",", ""))
                except InvalidOperation:
                    form.add_error("registered_capital", "not a number")
            if form.is_valid():
                persons = ()
                if data["person_name"] or data["person_id_number"]:
                    persons = (
                        PersonFacts(
                            role=engine.ROLE_LEGAL_REPRESENTATIVE,
                            name=data["person_name"],
                            id_number=data["person_id_number"],
                        ),
                    )
                subject = Subject(
                    company_name=data["company_name"],
                    address=data["address"],
                    business_scope=data["business_scope"],
                    registered_capital=capital,
                    persons=persons,
                )
                results, notes = _try(subject, libraries)
        return TemplateResponse(
            request,
            "admin/rules/tryit.html",
            self._context(request, "试一试 / try it", form=form, results=results, notes=notes),
        )

    # Hits -----------------------------------------------------------------------------------------

    def hits_view(self, request: HttpRequest) -> HttpResponse:
        kinds = user_kinds(request.user)
        if not kinds:
            raise PermissionDenied
        rows = selectors.hit_summary(libraries=user_libraries(request.user), list_kinds=kinds, days=30)
        for row in rows:
            row["label"] = _entry_label(row["list_kind"], row["entry"])
        return TemplateResponse(
            request,
            "admin/rules/hits.html",
            self._context(request, "近30日命中 / hits over the last 30 days", rows=rows),
        )


def _entry_label(list_kind: str, entry: str) -> str:
    if list_kind == DISHONEST_PERSONS:
        return entry  # the case number; never an ID number
    return entry


def _try(subject: Subject, libraries: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    from rules.ports import console_ports

    ports = console_ports() or Ports()
    notes: list[str] = []
    results: list[dict[str, Any]] = []
    for code in libraries:
        if code == "identity" and ports.citizens is None:
            notes.append("实名核身未连接公安人口库，仅校验号码 / identity: no registry connected here.")
        try:
            result = engine.check_library(code, subject, ports=ports)
        except engine.LookupUnavailable:
            notes.append(f"{code}: 无法连接外部数据源 / the registry is unavailable")
            continue
        findings = []
        for finding in result.findings:
            data = finding.to_dict()
            data["highlight"] = _highlight(subject, finding.evidence)
            findings.append(data)
        results.append({"library": code, "outcome": result.outcome, "versions": result.versions, "findings": findings})
    return results, notes


def _highlight(subject: Subject, evidence: dict[str, Any]) -> SafeString | None:
    """The field the evidence points into, with the matched span marked."""
    span = evidence.get("span")
    field = evidence.get("field")
    text = {
        "company_name": subject.company_name,
        "address": subject.address,
        "business_scope": subject.business_scope,
    }.get(str(field))
    if not span or text is None:
        return None
    start, end = int(span[0]), int(span[1])
    if not 0 <= start < end <= len(text):
        return None
    return format_html('{}<mark class="ow-span">{}</mark>{}', text[:start], text[start:end], text[end:])


# --- Entries ------------------------------------------------------------------------------------


@admin.register(ListEntry)
class ListEntryAdmin(IdNumberLookupMixin, DepartmentScoped, admin.ModelAdmin):
    list_display = ("version", "line", "key_shown", "ref", "summary", "hits_30d")
    list_filter = ("version__kind", "version__status", "version")
    search_fields = ("key", "ref")
    list_select_related = ("version",)
    raw_id_fields = ("version",)
    # Lists reach millions of rows: an exact COUNT(*) on every page would be the slowest part.
    show_full_result_count = False
    # A version is what was imported and published; editing its rows in place would make the
    # record of which list a decision used untrue. Entries are read-only: import a new version.
    fields = ("version", "line", "key_shown", "ref", "data")
    readonly_fields = fields

    def kind_of(self, obj: ListEntry) -> str:
        return obj.version.kind

    def get_queryset(self, request: HttpRequest) -> QuerySet[ListEntry]:
        return super().get_queryset(request).filter(version__kind__in=user_kinds(request.user))

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

    @admin.display(description="hits (30 d)")
    def hits_30d(self, entry: ListEntry) -> int:
        spec = list_kind_get(entry.version.kind)
        identity = spec.entry_identity(entry.key, entry.ref, entry.data)
        return selectors.hit_counts(list_kind=entry.version.kind, entries=[identity]).get(identity, 0)


# --- Golden cases ---------------------------------------------------------------------------------


class GoldenCaseForm(forms.ModelForm):
    document = forms.JSONField(
        help_text=(
            'An application document (CONTRACT §4), e.g. {"company": {"name": "深圳市赌博科技有限公司"}}. '
            "ID numbers are stored only as blind index and masked form; phones are dropped."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
    )

    class Meta:
        model = GoldenCase
        fields = ("kind", "library", "title", "document", "expected_outcome", "expected_rule")

    def __init__(self, *args: Any, kinds: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = list(kinds)
        self.fields["kind"] = forms.ChoiceField(choices=[(k, k) for k in kinds])
        libraries = sorted({lib for k in kinds for lib in engine.libraries_using(k)})
        self.fields["library"] = forms.ChoiceField(choices=[(lib, lib) for lib in libraries])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, library = data.get("kind"), data.get("library")
        if kind and library and library not in engine.libraries_using(kind):
            self.add_error("library", f"{library} does not read the list {kind}")
        return data


@admin.register(GoldenCase)
class GoldenCaseAdmin(DepartmentScoped, admin.ModelAdmin):
    form = GoldenCaseForm
    list_display = ("title", "kind", "library", "expected_outcome", "expected_rule", "result")
    list_filter = ("kind", "library", "expected_outcome")
    search_fields = ("title",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[GoldenCase]:
        return super().get_queryset(request).filter(kind__in=user_kinds(request.user))

    def get_form(
        self, request: HttpRequest, obj: GoldenCase | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        kinds = user_kinds(request.user)

        class Scoped(form):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, kinds=kinds, **inner)

        return Scoped

    def has_delete_permission(self, request: HttpRequest, obj: GoldenCase | None = None) -> bool:
        return self.has_view_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: GoldenCase, form: forms.ModelForm, change: bool) -> None:
        _require_kind(request, obj.kind)
        obj.document = golden_document_seal(obj.document)
        if not obj.created_by:
            obj.created_by = request.user.get_username()
        super().save_model(request, obj, form, change)

    @admin.display(description="against the published version")
    def result(self, case: GoldenCase) -> str:
        subject_result = None
        for outcome in golden_cases_run(kind=case.kind):
            if outcome.case_id == case.pk:
                subject_result = outcome
        if subject_result is None:
            return ""
        return "✔ pass" if subject_result.passed else f"✘ {subject_result.actual}"


# --- Live registrations -------------------------------------------------------------------------


@admin.register(RegisteredEnterprise)
class RegisteredEnterpriseAdmin(DepartmentScoped, admin.ModelAdmin):
    list_display = ("name", "credit_code", "address", "registered_at")
    search_fields = ("name", "credit_code")
    readonly_fields = (
        "name_key",
        "core_key",
        "trade_name_key",
        "pinyin_key",
        "industry",
        "address_code",
        "registered_at",
    )

    def kind_of(self, obj: RegisteredEnterprise) -> str:
        return "enterprises"

    # The live register is market regulation's, like the enterprises list it extends: other
    # departments' administrators may not list it (nor open a row by a guessed URL).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return "enterprises" in user_kinds(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return "enterprises" in user_kinds(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(HitCount)
class HitCountAdmin(DepartmentScoped, admin.ModelAdmin):
    list_display = ("day", "library", "rule", "list_kind", "entry", "count")
    list_filter = ("library", "rule", "list_kind", "day")
    date_hierarchy = "day"

    def kind_of(self, obj: HitCount) -> str:
        return obj.list_kind or "name_words"

    def get_queryset(self, request: HttpRequest) -> QuerySet[HitCount]:
        return super().get_queryset(request).filter(library__in=user_libraries(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: HitCount | None = None) -> bool:
        return False
