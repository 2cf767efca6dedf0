from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from intake.api.schema import SchemaView

# An unmatched URL under /api/ answers in the API's error format (intake/api/errors.py).
handler404 = "intake.api.errors.not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("intake.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("review/", include("review.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("licences.urls")),
    path("", include("identity.urls")),
    path("", include("intake.urls")),
]

if settings.DEPARTMENTS_EMBEDDED:
    # The simulated departments are the outside world; in the embedded default they share this
    # web process but are reached only over HTTP, exactly as in docker-compose.
    urlpatterns.insert(0, path("departments/", include("departments.urls")))
