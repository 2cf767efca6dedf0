"""The pages of the proof of presence: a person's own verification page, and the demo phone."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import ApplicantProfile
from identity import ports
from identity.selectors import verification_by_token, verification_state
from rules.privacy import mask_phone


@never_cache
@require_GET
def verify_page(request: HttpRequest, token: str) -> HttpResponse:
    """The link's page: no login, the token is the credential. The steps run through the JSON
    API (identity.api) from a static script, as a mobile app would call it."""
    verification = verification_by_token(token=token)
    if verification is None:
        return render(request, "identity/link_invalid.html", status=404)
    response = render(
        request,
        "identity/verify.html",
        {
            "state": verification_state(verification),
            "api_base": f"/api/v1/verifications/{token}/",
            "status_url": _status_url(request, verification),
            "max_image_mb": settings.FACE_IMAGE_MAX_BYTES // (1024 * 1024),
        },
    )
    # The page's address is a credential: it must not travel to another site as a referrer.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _status_url(request: HttpRequest, verification: object) -> str:
    """The applicant's status page, when the person on this page filed the application."""
    application = verification.application
    if request.user.is_authenticated and application.applicant_id == request.user.pk:
        return f"/applications/{application.id}/"
    return ""


@login_required
@never_cache
@require_GET
def sms_inbox_page(request: HttpRequest) -> HttpResponse:
    """Demo only: the simulated phone of the logged-in user (the carrier's message store)."""
    if not settings.DEMO_SMS_INBOX:
        raise Http404
    profile = ApplicantProfile.objects.filter(user=request.user).first()
    messages: list = []
    error = ""
    if profile and profile.phone:
        try:
            messages = ports.sms_inbox(phone=profile.phone, limit=20)
        except ports.DepartmentUnavailable:
            error = "运营商系统暂不可用 / the carrier cannot be reached"
    return render(
        request,
        "identity/sms_inbox.html",
        {"phone": mask_phone(profile.phone) if profile else "", "messages": messages, "error": error},
    )
