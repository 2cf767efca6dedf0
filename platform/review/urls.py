from django.urls import path

from review import views

urlpatterns = [
    path("", views.queue, name="review-queue"),
    path("<uuid:application_id>/", views.case, name="review-case"),
    path("<uuid:application_id>/claim/", views.claim, name="review-claim"),
    path("<uuid:application_id>/faces/", views.faces, name="review-faces"),
]
