"""Applications and their persons for operators. ID and phone numbers appear masked only: an
admin list is a screen others can look over a shoulder at, and operators are not the owners."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from applications.models import Application, Person
from config.admin import ReadOnlyAdmin
from intake.selectors import applications_of_person
from rules.admin_lookup import IdNumberLookupMixin


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
class ApplicationAdmin(IdNumberLookupMixin, ReadOnlyAdmin):
    # The pipeline owns every field; the admin only looks.
    list_display = ["reference", "company_name", "status", "outcome", "created_at", "personal_data_erased_at"]
    list_filter = ["status", "outcome"]
    search_fields = ["company_name", "credit_code"]
    # A full ID number finds a person's applications through the blind index, on the POST page
    # "find by ID number" (rules.admin_lookup): never in the search box, whose term is in the URL.
    search_help_text = (
        "企业名称或统一社会信用代码；身份证号码请用“按身份证号码查找” / company name or credit code; "
        "for an ID number use “find by ID number”"
    )
    date_hierarchy = "created_at"
    inlines = [PersonInline]

    def id_number_matches(self, queryset: Any, id_number: str) -> Any:
        return queryset.filter(pk__in=applications_of_person(id_number=id_number).values("pk"))


@admin.register(Person)
class PersonAdmin(IdNumberLookupMixin, ReadOnlyAdmin):
    list_display = ["application", "role", "name", "masked_id_number", "masked_phone"]
    list_filter = ["role"]
    # No search box: a person is found by a full ID number only (through the blind index), on the
    # POST page "find by ID number"; names are not searched on purpose.
    fields = ["application", "role", "position", "name", "masked_id_number", "masked_phone", "contribution"]
    readonly_fields = fields
    list_select_related = ["application"]

    def id_number_matches(self, queryset: Any, id_number: str) -> Any:
        return queryset.filter(id_number=id_number)

    @admin.display(description="身份证号码 ID number")
    def masked_id_number(self, obj: Person) -> str:
        return obj.masked_id_number

    @admin.display(description="手机号码 phone")
    def masked_phone(self, obj: Person) -> str:
        return obj.masked_phone
