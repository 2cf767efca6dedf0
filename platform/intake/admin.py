"""Applications and their persons for operators. ID and phone numbers appear masked only: an
admin list is a screen others can look over a shoulder at, and operators are not the owners."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from applications.models import Application, Person
from config.admin import ReadOnlyAdmin
from intake.selectors import applications_of_person


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    can_delete = False
    fields = ["role", "position", "name", "masked_id_number", "masked_phone", "contribution"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="身份证号码 ID number")
    def masked_id_number(self, obj: Person) -> str:
        return obj.masked_id_number

    @admin.display(description="手机号码 phone")
    def masked_phone(self, obj: Person) -> str:
        return obj.masked_phone


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    # The pipeline owns every field; the admin only looks.
    list_display = ["reference", "company_name", "status", "outcome", "created_at", "personal_data_erased_at"]
    list_filter = ["status", "outcome"]
    # A full ID number finds a person's applications through the blind index; nothing else about
    # a person is searchable, since the stored values are encrypted.
    search_fields = ["company_name", "credit_code"]
    search_help_text = "企业名称、统一社会信用代码或完整的身份证号码 / company name, credit code or a full ID number"
    date_hierarchy = "created_at"
    inlines = [PersonInline]

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if len(term) == 18:
            results = results | queryset.filter(pk__in=applications_of_person(id_number=term).values("pk"))
        return results, may_have_duplicates


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["application", "role", "name", "masked_id_number", "masked_phone"]
    list_filter = ["role"]
    # The search is overridden below: a full ID number, matched through the blind index.
    search_fields = ["id_number"]
    search_help_text = "完整的身份证号码 / a full ID number"
    fields = ["application", "role", "position", "name", "masked_id_number", "masked_phone", "contribution"]
    readonly_fields = fields
    list_select_related = ["application"]

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        # Exact ID number only (through the blind index); names are not searched on purpose.
        return queryset.filter(id_number=term), False

    @admin.display(description="身份证号码 ID number")
    def masked_id_number(self, obj: Person) -> str:
        return obj.masked_id_number

    @admin.display(description="手机号码 phone")
    def masked_phone(self, obj: Person) -> str:
        return obj.masked_phone
