from django.apps import AppConfig


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = "Department simulators"
    default_auto_field = "django.db.models.BigAutoField"
