from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.selectors import user_has_role
from intake.forms import DEPARTMENT_LABELS
from review.selectors import review_case, review_queue
from workflow.services import review_decide


def _require_reviewer(request: HttpRequest) -> None:
    if not user_has_role(user=request.user, role=Role.REVIEWER):
        raise PermissionDenied("只有审核员可以进入审核台 / reviewers only")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    return render(request, "review/queue.html", {"cases": review_queue()})


@login_required
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, application_id: str) -> HttpResponse:
    _require_reviewer(request)
    application = review_case(application_id=application_id)
    if application is None:
        raise Http404
    error = ""
    if request.method == "POST":
        decision = request.POST.get("decision")
        reason = request.POST.get("reason", "").strip()
        if decision not in ("approve", "reject"):
            error = "请选择通过或驳回 / choose approve or reject"
        elif not reason:
            error = "请填写理由 / a reason is required"
        else:
            try:
                review_decide(
                    application_id=application.id,
                    approve=decision == "approve",
                    reason=reason,
                    actor=f"user:{request.user.get_username()}",
                )
            except ValueError as refusal:
                error = str(refusal)
            else:
                messages.success(request, f"已处理申请 {application.reference} / decision recorded")
                return redirect("review-queue")
    return render(
        request,
        "review/case.html",
        {"application": application, "error": error, "department_labels": DEPARTMENT_LABELS},
        status=400 if error else 200,
    )
