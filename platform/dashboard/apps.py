from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "运营看板 / Operator dashboard"
    default_auto_field = "django.db.models.BigAutoField"
