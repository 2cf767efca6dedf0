"""Each department's own records, for its administrators to read. Records are written only by
the simulators; the run-time switches are the one thing edited here."""

import json
import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from departments import models
from departments.validation import mask_id_number, mask_phone

ID_NUMBER_SHAPE = re.compile(r"\d{17}[\dXx]")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.DepartmentConfig)
class DepartmentConfigAdmin(admin.ModelAdmin):
    list_display = ["department", "latency_ms_min", "latency_ms_max", "failure_rate", "updated_at"]
    readonly_fields = ["department", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ProcessedRequestAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_key", "status_code", "created_at"]
    list_filter = ["status_code"]
    search_fields = ["idempotency_key"]
    date_hierarchy = "created_at"
    # The body is shown with its ID and phone numbers masked, never as stored or in the clear.
    exclude = ["request_body"]
    readonly_fields = ["masked_request_body"]

    @admin.display(description="request body (masked)")
    def masked_request_body(self, obj: models.ProcessedRequest) -> str:
        return json.dumps(models.masked_personal_data(obj.request_body), ensure_ascii=False, indent=2)


for request_model in (
    models.MarketRegulationRequest,
    models.TaxRequest,
    models.PublicSecurityRequest,
    models.SocialSecurityRequest,
    models.HousingFundRequest,
    models.BankRequest,
):
    admin.site.register(request_model, ProcessedRequestAdmin)


class MarketShareholderInline(admin.TabularInline):
    model = models.MarketShareholder
    extra = 0
    can_delete = False
    fields = ["name", "contribution"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.MarketEnterprise)
class MarketEnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "license_number", "region_code", "registered_capital", "registered_at"]
    search_fields = ["name", "credit_code"]
    list_filter = ["region_code"]
    exclude = ["legal_representative_id_number"]
    readonly_fields = ["masked_legal_representative_id_number"]
    inlines = [MarketShareholderInline]

    @admin.display(description="legal representative ID number")
    def masked_legal_representative_id_number(self, obj: models.MarketEnterprise) -> str:
        return mask_id_number(obj.legal_representative_id_number)


@admin.register(models.TaxRegistration)
class TaxRegistrationAdmin(ReadOnlyAdmin):
    list_display = ["taxpayer_id", "company_name", "tax_authority", "invoice_monthly_count", "registered_at"]
    search_fields = ["taxpayer_id", "company_name"]
    list_filter = ["tax_authority"]
    exclude = ["legal_representative_phone"]


class IdNumberLookupForm(forms.Form):
    id_number = forms.CharField(
        label="完整的身份证号码 / full ID number",
        min_length=18,
        max_length=18,
        validators=[RegexValidator(r"^\d{17}[\dXx]$", "18 位，最后一位可为 X / 18 characters, the last may be X")],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 22}),
    )


@admin.register(models.Citizen)
class CitizenAdmin(ReadOnlyAdmin):
    """The registry, found by a full ID number through the blind index (the stored number is
    encrypted), on a POST page: a search box's term travels in the URL, and with it into access
    logs and browser history. ID-number-shaped terms in the search box are refused."""

    # Masked even here: the admin list is a screen others can look over a shoulder at.
    list_display = ["masked_id_number", "name", "masked_phone", "status", "updated_at"]
    list_filter = ["status"]
    change_list_template = "admin/departments/citizen/change_list.html"
    exclude = ["id_number", "id_number_index", "phone"]
    readonly_fields = ["masked_id_number", "masked_phone"]

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "find-by-id-number/",
                self.admin_site.admin_view(self.find_by_id_number_view),
                name="departments_citizen_find_by_id_number",
            ),
            *super().get_urls(),
        ]

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        if ID_NUMBER_SHAPE.search(search_term or ""):
            messages.warning(request, "身份证号码请用“按身份证号码查找” / use “find by ID number” for an ID number")
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def find_by_id_number_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = IdNumberLookupForm(request.POST if request.method == "POST" else None)
        results, searched_for = None, ""
        if request.method == "POST" and form.is_valid():
            id_number = form.cleaned_data["id_number"]
            searched_for = mask_id_number(id_number)
            matches = self.get_queryset(request).filter(id_number_index=models.id_number_index(id_number))
            results = [(obj, reverse("admin:departments_citizen_change", args=[obj.pk])) for obj in matches[:10]]
            form = IdNumberLookupForm()  # the number is not shown back
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "按身份证号码查找 / find a citizen by ID number",
            "form": form,
            "results": results,
            "searched_for": searched_for,
        }
        return TemplateResponse(request, "admin/departments/citizen/find_by_id_number.html", context)

    @admin.display(description="ID number")
    def masked_id_number(self, obj: models.Citizen) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description="phone")
    def masked_phone(self, obj: models.Citizen) -> str:
        return mask_phone(obj.phone)


@admin.register(models.SealOrder)
class SealOrderAdmin(ReadOnlyAdmin):
    list_display = ["order_number", "company_name", "credit_code", "maker", "ready_at"]
    search_fields = ["order_number", "credit_code", "company_name"]


@admin.register(models.SocialSecurityAccount)
class SocialSecurityAccountAdmin(ReadOnlyAdmin):
    list_display = ["account_number", "company_name", "credit_code", "office", "employees", "registered_at"]
    search_fields = ["account_number", "credit_code", "company_name"]


@admin.register(models.HousingFundAccount)
class HousingFundAccountAdmin(ReadOnlyAdmin):
    list_display = ["account_number", "company_name", "credit_code", "center", "employees", "registered_at"]
    search_fields = ["account_number", "credit_code", "company_name"]


@admin.register(models.BankAppointment)
class BankAppointmentAdmin(ReadOnlyAdmin):
    list_display = ["appointment_number", "company_name", "bank", "branch", "appointment_at"]
    search_fields = ["appointment_number", "credit_code", "company_name"]
    list_filter = ["bank"]
    exclude = ["contact_phone"]


@admin.register(models.CarrierSubscriber)
class CarrierSubscriberAdmin(ReadOnlyAdmin):
    """The carrier's register of who holds each phone number, masked."""

    list_display = ["masked_phone", "name", "masked_id_number", "updated_at"]
    exclude = ["phone", "phone_index", "id_number"]
    readonly_fields = ["masked_phone", "masked_id_number"]

    @admin.display(description="phone")
    def masked_phone(self, obj: models.CarrierSubscriber) -> str:
        return mask_phone(obj.phone)

    @admin.display(description="ID number")
    def masked_id_number(self, obj: models.CarrierSubscriber) -> str:
        return mask_id_number(obj.id_number)


@admin.register(models.CarrierMessage)
class CarrierMessageAdmin(ReadOnlyAdmin):
    """Delivered SMS, masked phone and no text: the texts carry one-time codes. (The phone's own
    inbox, read with ``sms_inbox``, is where the text is shown.)"""

    list_display = ["masked_phone", "sent_at"]
    date_hierarchy = "sent_at"
    exclude = ["phone", "phone_index", "text"]
    readonly_fields = ["masked_phone"]

    @admin.display(description="phone")
    def masked_phone(self, obj: models.CarrierMessage) -> str:
        return mask_phone(obj.phone)
