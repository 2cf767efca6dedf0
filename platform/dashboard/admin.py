from django.contrib import admin

from dashboard.models import ServiceRating


@admin.register(ServiceRating)
class ServiceRatingAdmin(admin.ModelAdmin):
    list_display = ["created_at", "application", "score", "comment"]
    list_filter = ["score"]

    # Ratings are the applicants' words: operators read them, nobody edits them.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
