from django.urls import path

from departments import registry_photos, views

app_name = "departments"

urlpatterns = [
    path(
        "<str:code>/citizens/verify/",
        views.citizen_verify,
        name="citizen-verify",
    ),
    path(
        "<str:code>/citizens/import/",
        views.citizens_import,
        name="citizens-import",
    ),
    path("<str:code>/citizens/face-compare/", views.citizen_face_compare, name="citizen-face-compare"),
    path("<str:code>/citizens/photo/", registry_photos.citizen_photo, name="citizen-photo"),
    path("<str:code>/subscribers/verify/", views.carrier_subscriber_verify, name="carrier-subscriber-verify"),
    path("<str:code>/sms/send/", views.carrier_sms_send, name="carrier-sms-send"),
    path("<str:code>/sms/inbox/", views.carrier_sms_inbox, name="carrier-sms-inbox"),
    path("<str:code>/requests/", views.request_create, name="request-create"),
    path(
        "<str:code>/enterprises/<str:credit_code>/cancel/",
        views.enterprise_cancel,
        name="enterprise-cancel",
    ),
    path("<str:code>/requests/<str:idempotency_key>/", views.request_detail, name="request-detail"),
    path("<str:code>/licences/public-key/", views.licence_public_key, name="licence-public-key"),
    path("<str:code>/licences/<str:number>/", views.licence_detail, name="licence-detail"),
    path("<str:code>/licences/<str:number>/revoke/", views.licence_revoke, name="licence-revoke"),
    path("<str:code>/config/", views.config_detail, name="config"),
    path("<str:code>/health/", views.health, name="health"),
]
