from django.urls import path

from intake.api.reservations import NameReservationDetailApi, NameReservationListCreateApi
from intake.api.views import ApplicationDetailApi, ApplicationListCreateApi

urlpatterns = [
    path("applications/", ApplicationListCreateApi.as_view(), name="api-applications"),
    path("applications/<uuid:application_id>/", ApplicationDetailApi.as_view(), name="api-application-detail"),
    path("name-reservations/", NameReservationListCreateApi.as_view(), name="api-name-reservations"),
    path("name-reservations/<str:reference>/", NameReservationDetailApi.as_view(), name="api-name-reservation-detail"),
]
