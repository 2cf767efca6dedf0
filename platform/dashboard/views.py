from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from accounts.selectors import user_has_role
from applications.models import Application
from dashboard.panels import dashboard_charts, dashboard_texts
from dashboard.selectors import DEFAULT_PERIOD_DAYS, PERIOD_CHOICES, dashboard_overview, failed_work_items
from dashboard.services import RatingRefused, rating_submit
from workflow.resend import ResendRefused, work_item_resend


def _require_operator(request: HttpRequest) -> None:
    if not (request.user.is_superuser or user_has_role(user=request.user, role=Role.OPERATOR)):
        raise PermissionDenied("只有运营人员可以查看运营看板 / operators only")


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    try:
        days = int(request.GET.get("days", DEFAULT_PERIOD_DAYS))
    except ValueError:
        days = DEFAULT_PERIOD_DAYS
    figures = dashboard_overview(days=days)
    return render(
        request,
        "dashboard/overview.html",
        {
            "overview": figures,
            "charts": dashboard_charts(overview=figures),
            "texts": dashboard_texts(overview=figures),
            "period_choices": PERIOD_CHOICES,
            "failed_items": failed_work_items(),
        },
    )


@login_required
@require_POST
def work_item_resend_view(request: HttpRequest, work_item_id: int) -> HttpResponse:
    """The operator's resend of a failed department filing, from the dashboard's form."""
    _require_operator(request)
    try:
        reopened = work_item_resend(
            work_item_id=work_item_id,
            reason=request.POST.get("reason", ""),
            actor=f"user:{request.user.get_username()}",
        )
    except ResendRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            ngettext("已重新报送 %(count)d 个办理事项。", "已重新报送 %(count)d 个办理事项。", len(reopened))
            % {"count": len(reopened)},
        )
    return redirect(reverse("dashboard") + "#failed-items")


@login_required
@require_POST
def rating_create(request: HttpRequest, application_id: str) -> HttpResponse:
    # Someone else's application does not exist, as far as this user can tell.
    application = Application.objects.filter(pk=application_id, applicant=request.user).first()
    if application is None:
        raise Http404
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = 0
    try:
        rating_submit(application=application, user=request.user, score=score, comment=request.POST.get("comment", ""))
    except RatingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "感谢您的评价 / thank you for your rating")
    return redirect("application-status", application_id=application.id)
