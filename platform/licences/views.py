"""The public verification page, and the licence PDF for the applicant and the integrator."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from intake.selectors import applications_for_client, applications_for_user
from licences.pdf import licence_pdf_render
from licences.selectors import AuthorityUnavailable, Licence, licence_for_application, licence_standing
from licences.tokens import licence_token_verify


def _pdf_response(licence: Licence) -> HttpResponse:
    response = HttpResponse(licence_pdf_render(licence=licence), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.credit_code}.pdf"'
    return response


def _licence_of(queryset: object, application_id: object) -> Licence:
    application = queryset.prefetch_related("work_items").filter(id=application_id).first()
    licence = licence_for_application(application=application) if application else None
    if licence is None:
        raise Http404("no licence has been issued for this application")
    return licence


@login_required
@require_GET
def application_licence_pdf(request: HttpRequest, application_id: str) -> HttpResponse:
    return _pdf_response(_licence_of(applications_for_user(user=request.user), application_id))


class ApplicationLicencePdfApi(APIView):
    @extend_schema(
        tags=["applications"],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The electronic business licence."
            ),
            404: OpenApiResponse(description="No licence issued yet (or not this client's application)."),
        },
        description="The electronic business licence (电子营业执照) issued by market regulation, as a PDF "
        "with a QR code that links to /verify/licence/<token>.",
    )
    def get(self, request: Request, application_id: str) -> HttpResponse:
        return _pdf_response(_licence_of(applications_for_client(client=request.user), application_id))


@require_GET
def licence_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Valid, revoked or unknown; shows only what a printed licence shows. No login needed."""
    claims = licence_token_verify(token)
    standing, unavailable = None, False
    if claims is not None:
        try:
            standing = licence_standing(number=claims.number)
        except AuthorityUnavailable:
            unavailable = True
        if standing is not None and standing.get("credit_code") != claims.credit_code:
            standing = None  # a genuine token cannot disagree with the register; treat as unknown
    if claims is None or (standing is None and not unavailable):
        verdict = "unknown"
    elif unavailable:
        verdict = "signature_valid"
    else:
        verdict = standing["status"]
    return render(
        request,
        "licences/verify.html",
        {"verdict": verdict, "claims": claims, "licence": standing},
        status=404 if verdict == "unknown" else 200,
    )
