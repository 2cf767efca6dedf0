from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the deploy checks of the platform's secrets, and the API's auth in OpenAPI.
        from accounts import checks, schema  # noqa: F401
