"""The admin site: staff only, and a signed-in non-staff user gets a plain 403, not a login form."""

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


class OneWindowAdminSite(admin.AdminSite):
    site_header = "OneWindow 管理后台"
    site_title = "OneWindow"
    index_title = "规则库与运行数据"

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        wrapped = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            # Applicants, reviewers and operators have no business in the admin: refuse them
            # outright instead of offering a login form for another account.
            if request.user.is_authenticated and not request.user.is_staff:
                raise PermissionDenied("no admin access for this role")
            return wrapped(request, *args, **kwargs)

        return guarded


class OneWindowAdminConfig(AdminConfig):
    default_site = "config.admin.OneWindowAdminSite"


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the system writes and people only read: no add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
