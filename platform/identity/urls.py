from django.urls import path

from identity import views

urlpatterns = [
    path("verify/<str:token>/", views.verify_page, name="verify"),
    path("demo/sms/", views.sms_inbox_page, name="sms-inbox"),
]
