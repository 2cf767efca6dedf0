from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.overview, name="dashboard"),
    path("ratings/<uuid:application_id>/", views.rating_create, name="rating-create"),
]
