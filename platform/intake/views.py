from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import ApplicantProfile, Role
from accounts.selectors import user_has_role
from intake.api.serializers import ApplicationInputSerializer, ApplicationOutputSerializer
from intake.forms import DEPARTMENT_LABELS, document_from_post, flatten_errors, form_sections
from intake.selectors import application_with_progress, applications_for_user
from intake.services import application_submit


def home(request: HttpRequest) -> HttpResponse:
    applications = applications_for_user(user=request.user)[:20]
    return render(request, "intake/home.html", {"applications": applications})


def _require_applicant(request: HttpRequest) -> None:
    if not user_has_role(user=request.user, role=Role.APPLICANT):
        raise PermissionDenied("只有申请人可以提交申请 / only applicants can apply")


def _profile_prefill(request: HttpRequest) -> dict:
    profile = ApplicantProfile.objects.filter(user=request.user).first()
    if profile is None:
        return {}
    person = {"name": profile.name, "id_number": profile.id_number, "phone": profile.phone}
    return {"legal_representative": person, "shareholders": [{"name": profile.name, "id_number": profile.id_number}]}


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    _require_applicant(request)
    if request.method == "GET":
        return render(request, "intake/apply.html", {"form": form_sections(_profile_prefill(request), {})})
    document = document_from_post(request.POST)
    serializer = ApplicationInputSerializer(data=document)
    if not serializer.is_valid():
        errors = flatten_errors(serializer.errors)
        return render(request, "intake/apply.html", {"form": form_sections(document, errors)}, status=400)
    result = application_submit(document=serializer.validated_data, applicant=request.user)
    return redirect("application-status", application_id=result.application.id)


def _own_application(request: HttpRequest, application_id: str) -> object:
    application = application_with_progress(
        queryset=applications_for_user(user=request.user), application_id=application_id
    )
    if application is None:
        raise Http404
    return application


@login_required
@require_GET
def application_status(request: HttpRequest, application_id: str) -> HttpResponse:
    application = _own_application(request, application_id)
    return render(
        request,
        "intake/status.html",
        {
            "application": application,
            "initial": ApplicationOutputSerializer(application).data,
            "department_labels": DEPARTMENT_LABELS,
        },
    )


@login_required
@require_GET
def application_status_json(request: HttpRequest, application_id: str) -> JsonResponse:
    """The endpoint the status page polls."""
    application = _own_application(request, application_id)
    return JsonResponse(ApplicationOutputSerializer(application).data)
