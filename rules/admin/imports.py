"""The bulk-import screen: CSV or XLSX into a layer, with the line-numbered error report.

A small file is imported during the request, so the report (or the success message) comes
straight back. A big one (over ``RULES_BACKGROUND_IMPORT_BYTES``, 1 MB by default) becomes a
background job on the ``pipeline`` queue: the administrator is taken to the job's page, which
polls its progress and ends with the same report. Either way the import is an import job, so a
second import of the same kind and scope while one runs is refused with a clear message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rules.admin.scoping import can_edit_scope, require_kind, user_home_scope, user_kinds
from rules.jurisdictions import ScopeInvalid, scope_label, scope_validate
from rules.lists import list_kind_get
from rules.models import ImportJob
from rules.services.import_jobs import (
    ImportAlreadyRunning,
    import_job_create,
    import_job_enqueue,
    import_job_progress,
    import_job_run,
)

BACKGROUND_IMPORT_BYTES = 1_000_000


def background_threshold() -> int:
    return int(getattr(settings, "RULES_BACKGROUND_IMPORT_BYTES", BACKGROUND_IMPORT_BYTES))


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="名单 / list")
    scope = forms.CharField(
        label="适用范围 / layer",
        required=False,
        help_text=_("national（全国）或行政区划代码：省 440000、市 440300、区 440305"),
    )
    file = forms.FileField(label="文件 / file (CSV or XLSX)")
    publish = forms.BooleanField(label="导入后发布 / publish after import", required=False)
    effective_at = forms.DateTimeField(
        label="生效时间 / effective from (empty: now)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args: Any, kinds: Iterable[str], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].choices = [(k, f"{k} — {list_kind_get(k).verbose_name}") for k in kinds]
        self.fields["scope"].initial = user_home_scope(user)

    def clean_scope(self) -> str:
        value = self.cleaned_data["scope"] or user_home_scope(self.user)
        try:
            scope = scope_validate(value)
        except ScopeInvalid as exc:
            raise forms.ValidationError(str(exc)) from None
        if not can_edit_scope(self.user, scope):
            raise forms.ValidationError(_("该层级不属于您的管辖范围（只读）。"))
        return scope


def import_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    kinds = user_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds, user=request.user)
    errors: list[tuple[int, str]] = []
    filename = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        filename = upload.name
        kind = form.cleaned_data["kind"]
        require_kind(request, kind)
        try:
            job = import_job_create(
                kind=kind,
                scope=form.cleaned_data["scope"],
                filename=filename,
                data=upload.read(),
                publish=form.cleaned_data["publish"],
                effective_at=form.cleaned_data["effective_at"],
                requested_by=request.user.get_username(),
            )
        except ImportAlreadyRunning as running:
            form.add_error(None, str(running))
        else:
            if upload.size > background_threshold():
                import_job_enqueue(job=job)
                return HttpResponseRedirect(reverse("admin:rules_importjob_progress", args=[job.pk]))
            finished = import_job_run(job_id=job.pk) or job
            if finished.status == ImportJob.Status.DONE:
                messages.success(request, finished.summary)
                return HttpResponseRedirect(reverse("admin:rules_listversion_changelist") + f"?kind__exact={kind}")
            errors = [(line, reason) for line, reason in finished.errors]
    return TemplateResponse(
        request,
        "admin/rules/listversion/import.html",
        model_admin.context(
            request,
            "批量导入 / bulk import",
            form=form,
            errors=errors,
            filename=filename,
            columns=[(k, list_kind_get(k).required, list_kind_get(k).optional) for k in kinds],
        ),
    )


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=pk)
    require_kind(request, job.kind)
    if not can_edit_scope(request.user, job.scope):
        raise PermissionDenied
    return job


def job_status(job: ImportJob) -> dict[str, Any]:
    progress = import_job_progress(job=job)
    return {
        "id": job.pk,
        "kind": job.kind,
        "scope": job.scope,
        "status": job.status,
        "rows_done": progress.get("rows_done", 0),
        "rows_total": progress.get("rows_total", 0),
        "summary": job.summary,
        "errors": job.errors if job.status == ImportJob.Status.FAILED else [],
    }


def job_progress_view(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return TemplateResponse(
        request,
        "admin/rules/listversion/import_job.html",
        model_admin.context(
            request,
            f"导入任务 / import {job.kind} → {scope_label(job.scope)}",
            job=job,
            status=job_status(job),
            errors=job.errors if job.status == ImportJob.Status.FAILED else [],
            filename=job.filename,
        ),
    )


def job_status_view(model_admin: Any, request: HttpRequest, pk: int) -> JsonResponse:
    """What the job page polls."""
    return JsonResponse(job_status(_job_for(request, pk)), json_dumps_params={"ensure_ascii": False})
