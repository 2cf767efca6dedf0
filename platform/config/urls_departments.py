"""URLconf for running the department simulators as their own service (docker-compose)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("departments/", include("departments.urls")),
]
