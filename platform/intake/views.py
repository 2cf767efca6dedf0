import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import condition, require_GET, require_http_methods

from accounts.models import ApplicantProfile, Role
from accounts.selectors import user_has_role
from applications.labels import labels_for_script
from applications.models import Application, ApplicationStatus
from applications.selectors import application_document
from identity.labels import verification_labels
from identity.selectors import filer_verification
from identity.tokens import verification_path
from intake.api.serializers import ApplicationInputSerializer, ApplicationOutputSerializer
from intake.forms import document_from_post, flatten_errors, form_sections
from intake.selectors import application_progress_etag, application_with_progress, applications_for_user
from intake.services import application_submit


def home(request: HttpRequest) -> HttpResponse:
    applications = applications_for_user(user=request.user)[:20]
    return render(request, "intake/home.html", {"applications": applications})


def _require_applicant(request: HttpRequest) -> None:
    if not (user_has_role(user=request.user, role=Role.APPLICANT) or _is_agent(request)):
        raise PermissionDenied("只有申请人可以提交申请 / only applicants can apply")


def _is_agent(request: HttpRequest) -> bool:
    return user_has_role(user=request.user, role=Role.AGENT) and hasattr(request.user, "agent_account")


def _profile_person(request: HttpRequest) -> dict | None:
    profile = ApplicantProfile.objects.filter(user=request.user).first()
    if profile is None:
        return None
    return {"name": profile.name, "id_number": profile.id_number, "phone": profile.phone}


def _profile_prefill(request: HttpRequest) -> dict:
    person = _profile_person(request)
    if person is None:
        return {}
    if _is_agent(request):
        # An agent files for companies it does not belong to: it is their handler, nothing more.
        return {"handler": person}
    return {
        "legal_representative": person,
        "shareholders": [{"name": person["name"], "id_number": person["id_number"]}],
    }


def _correctable(request: HttpRequest, application_id: str | None) -> Application | None:
    """The applicant's own returned or rejected application that a new one corrects (404 otherwise)."""
    if not application_id:
        return None
    application = (
        applications_for_user(user=request.user)
        .filter(status__in=(ApplicationStatus.REJECTED, ApplicationStatus.RETURNED))
        .filter(id=application_id)
        .first()
        if _is_uuid(application_id)
        else None
    )
    if application is None:
        raise Http404
    return application


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    _require_applicant(request)
    corrects = _correctable(request, request.GET.get("from") or request.POST.get("corrects"))
    context = {"corrects": corrects}
    if request.method == "GET":
        # A correction starts from the old application as it was filed; a new one from the
        # applicant's verified identity.
        prefill = application_document(application=corrects) if corrects else _profile_prefill(request)
        if prefill.get("handler") == prefill.get("legal_representative"):
            prefill.pop("handler", None)  # the handler was the legal representative
        if _is_agent(request):
            prefill["handler"] = _profile_person(request)
        return render(request, "intake/apply.html", {**context, "form": form_sections(prefill, {})})
    document = document_from_post(request.POST)
    if _is_agent(request):
        # Whatever the form says, an agent's filing names the agent as its handler.
        document["handler"] = _profile_person(request)
    serializer = ApplicationInputSerializer(data=document)
    if not serializer.is_valid():
        errors = flatten_errors(serializer.errors)
        return render(request, "intake/apply.html", {**context, "form": form_sections(document, errors)}, status=400)
    result = application_submit(document=serializer.validated_data, applicant=request.user, corrects=corrects)
    # The applicant who filled in the form verifies in the same flow: straight to their own page.
    person = _profile_person(request)
    own = filer_verification(application=result.application, id_number=person["id_number"]) if person else None
    if own is not None:
        return redirect(verification_path(own.id))
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
            "labels": labels_for_script(),
            "verification_labels": verification_labels(),
        },
    )


def _own_application_etag(request: HttpRequest, application_id: str) -> str | None:
    return application_progress_etag(queryset=applications_for_user(user=request.user), application_id=application_id)


@login_required
@require_GET
@condition(etag_func=_own_application_etag)
def application_status_json(request: HttpRequest, application_id: str) -> JsonResponse:
    """The endpoint the status page polls."""
    application = _own_application(request, application_id)
    return JsonResponse(ApplicationOutputSerializer(application).data)
