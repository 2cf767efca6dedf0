"""Finding records by a full ID number in the admin without putting the number in a URL.

The admin's search box is a GET: ``?q=<ID number>`` lands in the browser history, the access log
of every proxy and the web server, and the Referer of the next page. Admins that can find records
by ID number therefore offer a "find by ID number" page that takes the number in a POST body and
shows the results on the page it returns; their ordinary search refuses ID-number-shaped terms
and points to that page instead.

Used by the rule-library and application admins (the platform may import rules; the department
simulators keep an equivalent of their own, since they import nothing of ours).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from rules.privacy import mask_id_number

ID_NUMBER_SHAPE = re.compile(r"\d{17}[\dXx]")
RESULTS_SHOWN = 100


class IdNumberLookupForm(forms.Form):
    id_number = forms.CharField(
        label="完整的身份证号码 / full ID number",
        min_length=18,
        max_length=18,
        strip=True,
        validators=[RegexValidator(r"^\d{17}[\dXx]$", "18 位，最后一位可为 X / 18 characters, the last may be X")],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 22}),
    )


def looks_like_id_number(term: str) -> bool:
    return bool(ID_NUMBER_SHAPE.search(term or ""))


class IdNumberLookupMixin:
    """For a ModelAdmin whose records can be found by a full ID number.

    Implement ``id_number_matches(queryset, id_number)``; the mixin adds the POST page
    (``<model>/find-by-id-number/``), a link to it above the list, and the refusal of ID numbers
    in the GET search.
    """

    change_list_template = "admin/id_number_lookup/change_list.html"
    id_number_lookup_template = "admin/id_number_lookup/find.html"

    def id_number_matches(self, queryset: QuerySet, id_number: str) -> QuerySet:
        raise NotImplementedError

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        return [
            path(
                "find-by-id-number/",
                self.admin_site.admin_view(self.find_by_id_number_view),
                name=f"{opts.app_label}_{opts.model_name}_find_by_id_number",
            ),
            *super().get_urls(),
        ]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        if looks_like_id_number(search_term):
            messages.warning(
                request,
                "身份证号码请在“按身份证号码查找”页面输入，不要放进网址 / "
                "search for an ID number on the “find by ID number” page: it must not travel in a URL",
            )
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def find_by_id_number_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        form = IdNumberLookupForm(request.POST if request.method == "POST" else None)
        results = None
        searched_for = ""
        if request.method == "POST" and form.is_valid():
            id_number = form.cleaned_data["id_number"].upper()
            searched_for = mask_id_number(id_number)
            matches = self.id_number_matches(self.get_queryset(request), id_number)[:RESULTS_SHOWN]
            results = [
                (obj, reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])) for obj in matches
            ]
            # The number is not shown back, not even in the field: the page says whom it found.
            form = IdNumberLookupForm()
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"按身份证号码查找 / find by ID number: {opts.verbose_name_plural}",
            "form": form,
            "results": results,
            "searched_for": searched_for,
            "results_shown": RESULTS_SHOWN,
        }
        return TemplateResponse(request, self.id_number_lookup_template, context)


class IdNumberLookupAdmin(IdNumberLookupMixin, admin.ModelAdmin):
    pass
