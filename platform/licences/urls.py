from django.urls import path

from licences import views

urlpatterns = [
    # Before the token route: a token always has a dot, so it can never be "public-key".
    path("verify/licence/public-key", views.licence_public_key, name="licence-public-key"),
    path("verify/licence/<str:token>", views.licence_verify, name="licence-verify"),
]
