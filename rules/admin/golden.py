"""Golden cases in the admin: per list and layer, with their result against what is published."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from rules import engine
from rules.admin.scoping import (
    DepartmentScoped,
    can_edit_scope,
    require_kind,
    require_scope,
    user_home_scope,
    user_kinds,
    visible_scopes,
)
from rules.jurisdictions import ScopeInvalid, scope_validate
from rules.models import GoldenCase
from rules.services import golden_cases_run, golden_document_seal


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
        fields = ("kind", "scope", "library", "title", "document", "expected_outcome", "expected_rule")

    def __init__(self, *args: Any, kinds: Iterable[str] = (), user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = list(kinds)
        self.fields["kind"] = forms.ChoiceField(choices=[(k, k) for k in kinds])
        libraries = sorted({lib for k in kinds for lib in engine.libraries_using(k)})
        self.fields["library"] = forms.ChoiceField(
            choices=[(lib, engine.libraries.verbose_name(lib)) for lib in libraries]
        )
        self.fields["scope"].required = False
        if user is not None and not self.instance.pk:
            self.fields["scope"].initial = user_home_scope(user)

    def clean_scope(self) -> str:
        value = self.cleaned_data.get("scope") or (user_home_scope(self.user) if self.user else "national")
        try:
            scope = scope_validate(value)
        except ScopeInvalid as exc:
            raise forms.ValidationError(str(exc)) from None
        if self.user is not None and not can_edit_scope(self.user, scope):
            raise forms.ValidationError("该层级不属于您的管辖范围（只读）。")
        return scope

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, library = data.get("kind"), data.get("library")
        if kind and library and library not in engine.libraries_using(kind):
            self.add_error("library", f"{library} does not read the list {kind}")
        return data


@admin.register(GoldenCase)
class GoldenCaseAdmin(DepartmentScoped, admin.ModelAdmin):
    form = GoldenCaseForm
    list_display = ("title", "kind", "scope", "library", "expected_outcome", "expected_rule", "result")
    list_filter = ("kind", "scope", "library", "expected_outcome")
    search_fields = ("title",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[GoldenCase]:
        cases = super().get_queryset(request).filter(kind__in=user_kinds(request.user))
        scopes = sorted(set(cases.values_list("scope", flat=True)))
        return cases.filter(scope__in=visible_scopes(request.user, scopes))

    def get_form(
        self, request: HttpRequest, obj: GoldenCase | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        kinds = user_kinds(request.user)
        user = request.user

        class Scoped(form):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, kinds=kinds, user=user, **inner)

        return Scoped

    def has_delete_permission(self, request: HttpRequest, obj: GoldenCase | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: GoldenCase, form: forms.ModelForm, change: bool) -> None:
        require_kind(request, obj.kind)
        require_scope(request, obj.scope)
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
