from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    """The application aggregate: the bottom layer that every other platform app builds on."""

    name = "applications"
    verbose_name = "申请"
    default_auto_field = "django.db.models.BigAutoField"
