from django.contrib import admin

from accounts.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "is_active", "created_at"]
    readonly_fields = ["key_prefix", "key_hash", "created_at"]
