from django.urls import path

from intake import reservations, views
from licences.views import application_licence_pdf

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("reserve-name/", reservations.name_reservation, name="name-reservation"),
    path("applications/<uuid:application_id>/", views.application_status, name="application-status"),
    path(
        "applications/<uuid:application_id>/status.json", views.application_status_json, name="application-status-json"
    ),
    path("applications/<uuid:application_id>/licence.pdf", application_licence_pdf, name="application-licence-pdf"),
]
