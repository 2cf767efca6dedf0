from django.contrib import admin

from applications.models import Check, WorkItem
from workflow.models import OutboxMessage


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ["application", "library", "status", "outcome", "attempts", "updated_at"]
    list_filter = ["library", "status", "outcome"]


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    list_display = ["application", "department", "status", "attempts", "next_attempt_at", "updated_at"]
    list_filter = ["department", "status"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "queue", "available_at", "published_at", "publish_attempts"]
    list_filter = ["task", "queue"]
