from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest

from applications.models import Check, WorkItem, WorkItemStatus
from workflow.models import OutboxMessage
from workflow.resend import ResendRefused, work_item_resend


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ["application", "library", "status", "outcome", "attempts", "updated_at"]
    list_filter = ["library", "status", "outcome"]


class WorkItemActionForm(ActionForm):
    # Shown next to the action menu: a resend needs a reason, which the audit log records.
    reason = forms.CharField(required=False, max_length=200, label="原因 / reason")


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    list_display = ["application", "department", "status", "attempts", "error", "next_attempt_at", "updated_at"]
    list_filter = ["department", "status"]
    action_form = WorkItemActionForm
    actions = ["resend_failed"]

    @admin.action(description="重新报送失败的事项（需填写原因） / resend failed items (a reason is required)")
    def resend_failed(self, request: HttpRequest, queryset: QuerySet[WorkItem]) -> None:
        reason = request.POST.get("reason", "")
        actor = f"user:{request.user.get_username()}"
        resent = 0
        # Upstream first: resending market regulation reopens its dependants, which are then
        # no longer failed and are skipped below.
        for item_id in queryset.filter(status=WorkItemStatus.FAILED).order_by("position").values_list("id", flat=True):
            if not WorkItem.objects.filter(pk=item_id, status=WorkItemStatus.FAILED).exists():
                continue
            try:
                resent += len(work_item_resend(work_item_id=item_id, reason=reason, actor=actor))
            except ResendRefused as refusal:
                self.message_user(request, f"#{item_id}: {refusal}", level=messages.ERROR)
        if resent:
            self.message_user(
                request, f"已重新报送 {resent} 个事项 / {resent} work items resent", level=messages.SUCCESS
            )


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "queue", "available_at", "published_at", "publish_attempts"]
    list_filter = ["task", "queue"]
