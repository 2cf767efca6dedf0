from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from applications.transitions import transition_listen
        from webhooks.events import events_on_transitions

        # Events are recorded by the one gate every status change passes, in its transaction.
        transition_listen(events_on_transitions)
