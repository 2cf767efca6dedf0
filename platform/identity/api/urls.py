from django.urls import path

from identity.api import views

urlpatterns = [
    path("verifications/<str:token>/", views.VerificationDetailApi.as_view(), name="api-verification"),
    path(
        "verifications/<str:token>/send-code/",
        views.VerificationSendCodeApi.as_view(),
        name="api-verification-send-code",
    ),
    path("verifications/<str:token>/code/", views.VerificationCodeApi.as_view(), name="api-verification-code"),
    path("verifications/<str:token>/face/", views.VerificationFaceApi.as_view(), name="api-verification-face"),
    path("verifications/<str:token>/consent/", views.VerificationConsentApi.as_view(), name="api-verification-consent"),
]
