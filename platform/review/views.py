from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from accounts.selectors import user_has_role
from audit.services import audit_record
from identity.review import face_comparisons
from review.forms import QueueFilterForm
from review.models import ReviewDecision
from review.selectors import review_case, review_queue, review_queue_filters
from review.services import ReviewRefused, case_claim, case_decide, case_release, case_viewed


def _require_reviewer(request: HttpRequest) -> None:
    if not user_has_role(user=request.user, role=Role.REVIEWER):
        raise PermissionDenied("只有审核员可以进入审核台 / reviewers only")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    form = QueueFilterForm(request.GET)
    valid = form.is_valid()
    chosen = form.cleaned_data if valid else {}
    return render(
        request,
        "review/queue.html",
        {
            # A bad filter shows the whole queue, with the field's message, as a 400.
            "rows": review_queue(
                library=chosen.get("library", ""),
                rule=chosen.get("rule", ""),
                older_than_hours=chosen.get("older_than_hours"),
            ),
            "filters": review_queue_filters(),
            "form": form,
            "chosen": {
                "library": request.GET.get("library", ""),
                "rule": request.GET.get("rule", ""),
                "older_than_hours": request.GET.get("older_than_hours", ""),
            },
        },
        status=200 if valid else 400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, application_id: str) -> HttpResponse:
    _require_reviewer(request)
    application = review_case(application_id=application_id)
    if application is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            case_decide(
                application_id=application.id,
                reviewer=request.user,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
            )
        except ReviewRefused as refusal:
            error = str(refusal)
        else:
            messages.success(request, f"已处理申请 {application.reference} / decision recorded")
            return redirect("review-queue")
    case_viewed(application=application, reviewer=request.user)
    review = getattr(application, "review_case", None)
    return render(
        request,
        "review/case.html",
        {
            "application": application,
            "review": review,
            "claimed_by_me": bool(review and review.claimed_by_id == request.user.pk),
            "decisions": ReviewDecision.choices,
            "error": error,
            "face_reviews": application.verifications.filter(face_outcome="review").exists(),
        },
        status=400 if error else 200,
    )


@login_required
@never_cache
@require_GET
def faces(request: HttpRequest, application_id: str) -> HttpResponse:
    """The face review: each selfie kept for review next to the registry photo. Audited."""
    _require_reviewer(request)
    application = review_case(application_id=application_id)
    if application is None:
        raise Http404
    comparisons = face_comparisons(application=application)
    audit_record(
        action="review.faces_viewed",
        actor=f"user:{request.user.get_username()}",
        application_id=application.id,
        verifications=[item["id"] for item in comparisons],
    )
    return render(request, "review/faces.html", {"application": application, "comparisons": comparisons})


@login_required
@require_POST
def claim(request: HttpRequest, application_id: str) -> HttpResponse:
    _require_reviewer(request)
    try:
        if request.POST.get("release"):
            case_release(application_id=application_id, reviewer=request.user)
        else:
            case_claim(application_id=application_id, reviewer=request.user)
    except ReviewRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("review-case", application_id=application_id)
