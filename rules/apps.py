from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = _("规则库")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing the kinds registers them with the engine's registry.
        from rules import engine, kinds  # noqa: F401
        from rules.authority import jurisdiction_of
        from rules.services import hits_record

        engine.set_hit_recorder(hits_record)
        engine.set_jurisdiction_resolver(jurisdiction_of)
