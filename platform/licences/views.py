"""The public verification page, the republished key, and the licence PDF for the applicant and
the integrator."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from intake.selectors import applications_for_client, applications_for_user
from licences.pdf import licence_pdf_render
from licences.selectors import Licence, licence_for_application, licence_standing
from licences.tokens import AuthorityUnavailable, authority_public_key_published, licence_token_verify


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


class _FirstRenderer(BaseContentNegotiation):
    """The PDF is one representation whatever the Accept header asks for (a client asking for
    application/pdf gets it, not a 406); errors are JSON."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: list) -> object:
        return parsers[0]


class ApplicationLicencePdfApi(APIView):
    content_negotiation_class = _FirstRenderer

    @extend_schema(
        tags=["applications"],
        operation_id="applications_licence_pdf",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The electronic business licence, as an attachment named licence-<credit code>.pdf.",
            ),
            (404, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="No licence issued yet (market regulation has not registered the company), or "
                "not this client's application.",
                examples=[
                    OpenApiExample(
                        "Not issued yet",
                        value={"message": "no licence has been issued for this application"},
                        status_codes=["404"],
                    )
                ],
            ),
        },
        description="The electronic business licence (电子营业执照) issued by market regulation: a PDF in "
        "Chinese showing the name, credit code, type, registered capital, legal representative, date of "
        "establishment, address, business scope and registration authority, with a QR code that links to "
        "/verify/licence/<token>. The token is signed with the authority's Ed25519 key, published at "
        "/verify/licence/public-key. The application's `licence` field says whether there is one.",
    )
    def get(self, request: Request, application_id: str) -> HttpResponse:
        return _pdf_response(_licence_of(applications_for_client(client=request.user), application_id))


@require_GET
def licence_public_key(request: HttpRequest) -> JsonResponse:
    """The issuing authority's key, republished here: the departments' own address is not public."""
    try:
        published = authority_public_key_published()
    except AuthorityUnavailable:
        return JsonResponse({"error": "the registration authority cannot be reached right now"}, status=503)
    response = JsonResponse(published)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def licence_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Valid, revoked or unknown; shows only what a printed licence shows. No login needed."""
    try:
        claims = licence_token_verify(token)
    except AuthorityUnavailable:
        return render(request, "licences/verify.html", {"verdict": "unavailable"}, status=503)
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
