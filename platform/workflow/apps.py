from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The rules app never imports the platform: the platform hands it what it needs.
        from applications.selectors import recent_subjects
        from exchange.ports import HttpCitizenLookup
        from rules import engine, ports

        ports.register_recent_subjects(recent_subjects)
        ports.register_console_ports(lambda: engine.Ports(citizens=HttpCitizenLookup()))
