from django.urls import path

from intake.api.views import ApplicationDetailApi, ApplicationListCreateApi

urlpatterns = [
    path("applications/", ApplicationListCreateApi.as_view(), name="api-applications"),
    path("applications/<uuid:application_id>/", ApplicationDetailApi.as_view(), name="api-application-detail"),
]
