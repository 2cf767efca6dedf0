from django.urls import path

from intake import reservations, views

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views.apply, name="apply"),
    path("reserve-name/", reservations.name_reservation, name="name-reservation"),
    path("applications/<uuid:application_id>/", views.application_status, name="application-status"),
    path(
        "applications/<uuid:application_id>/status.json", views.application_status_json, name="application-status-json"
    ),
]
