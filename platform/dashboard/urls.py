from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.overview, name="dashboard"),
    path("work-items/<int:work_item_id>/resend/", views.work_item_resend_view, name="work-item-resend"),
    path("ratings/<uuid:application_id>/", views.rating_create, name="rating-create"),
]
