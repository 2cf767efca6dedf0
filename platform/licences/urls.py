from django.urls import path

from licences import views

urlpatterns = [
    path("verify/licence/<str:token>", views.licence_verify, name="licence-verify"),
]
