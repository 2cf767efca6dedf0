from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("运营看板")
    default_auto_field = "django.db.models.BigAutoField"
