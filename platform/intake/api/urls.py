from django.urls import include, path

from intake.api.reservations import NameReservationDetailApi, NameReservationListCreateApi
from intake.api.views import ApplicationDetailApi, ApplicationListCreateApi
from licences.views import ApplicationLicencePdfApi
from webhooks.views import WebhookDeliveriesApi, WebhookDetailApi, WebhookListCreateApi, WebhookRotateSecretApi

urlpatterns = [
    path("applications/", ApplicationListCreateApi.as_view(), name="api-applications"),
    path("applications/<uuid:application_id>/", ApplicationDetailApi.as_view(), name="api-application-detail"),
    path(
        "applications/<uuid:application_id>/licence.pdf",
        ApplicationLicencePdfApi.as_view(),
        name="api-application-licence",
    ),
    path("name-reservations/", NameReservationListCreateApi.as_view(), name="api-name-reservations"),
    path("name-reservations/<str:reference>/", NameReservationDetailApi.as_view(), name="api-name-reservation-detail"),
    path("webhooks/", WebhookListCreateApi.as_view(), name="api-webhooks"),
    path("webhooks/<uuid:endpoint_id>/", WebhookDetailApi.as_view(), name="api-webhook-detail"),
    path("webhooks/<uuid:endpoint_id>/rotate-secret/", WebhookRotateSecretApi.as_view(), name="api-webhook-rotate"),
    path("webhooks/<uuid:endpoint_id>/deliveries/", WebhookDeliveriesApi.as_view(), name="api-webhook-deliveries"),
    path("", include("identity.api.urls")),
]
