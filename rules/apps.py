from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = "Rule libraries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing the kinds registers them with the engine's registry.
        from rules import kinds  # noqa: F401
