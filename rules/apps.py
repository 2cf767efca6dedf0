from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = "Rule libraries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing the kinds registers them with the engine's registry.
        from rules import engine, kinds  # noqa: F401
        from rules.services import hits_record

        engine.set_hit_recorder(hits_record)
