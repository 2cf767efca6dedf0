"""The name-reservation form page (名称自主申报) for signed-in applicants."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.selectors import user_has_role
from intake.api.serializers import company_name_characters
from rules.services.reservations import ReservationRefused, name_reservation_create


class NameReservationForm(forms.Form):
    name = forms.CharField(label=_("企业名称"), max_length=100)
    address = forms.CharField(label=_("住所"), max_length=200, required=False)
    prior_approval = forms.BooleanField(label=_("需前置审批（保留一年）"), required=False)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        try:
            company_name_characters(name)
        except Exception as exc:  # DRF's ValidationError: shown next to the field
            raise forms.ValidationError(" ".join(str(d) for d in getattr(exc, "detail", [exc]))) from None
        return name


@login_required
@require_http_methods(["GET", "POST"])
def name_reservation(request: HttpRequest) -> HttpResponse:
    if not user_has_role(user=request.user, role=Role.APPLICANT):
        raise PermissionDenied("只有申请人可以申报名称 / only applicants can reserve names")
    form = NameReservationForm(request.POST or None)
    made = refused = None
    if request.method == "POST" and form.is_valid():
        try:
            made = name_reservation_create(**form.cleaned_data, reserved_by=f"user:{request.user.pk}")
        except ReservationRefused as exc:
            refused = exc
    return render(request, "intake/name_reservation.html", {"form": form, "made": made, "refused": refused})
