from django.contrib import admin

from review.models import ReviewCase


@admin.register(ReviewCase)
class ReviewCaseAdmin(admin.ModelAdmin):
    list_display = ["application", "claimed_by", "decision", "decided_by", "decided_at"]
    list_filter = ["decision"]
    readonly_fields = [f.name for f in ReviewCase._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
