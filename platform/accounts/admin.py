from django.contrib import admin

from accounts.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "is_active", "attests_presence", "created_at"]
    list_filter = ["attests_presence", "is_active"]
    readonly_fields = ["key_prefix", "key_hash", "created_at"]
