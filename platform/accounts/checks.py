"""``manage.py check --deploy`` warnings about the platform's own secrets and login protection.

The personal-data keys have their own checks (privacy.checks), and the department credentials
theirs (departments.checks).
"""

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def platform_secrets_check(app_configs: list[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    warnings: list[CheckMessage] = []
    if settings.SECRET_KEY == settings.EMBEDDED_DEVELOPMENT_SECRET_KEY:
        warnings.append(
            Warning(
                "DJANGO_SECRET_KEY is not set: the embedded development key is in the source, so anyone can "
                "forge sessions, and any key derived from it (PII keys left unset) is public too.",
                hint='Set DJANGO_SECRET_KEY: python -c "import secrets; print(secrets.token_urlsafe(50))"',
                id="accounts.W001",
            )
        )
    if not getattr(settings, "AXES_ENABLED", True):
        warnings.append(
            Warning(
                "AXES_ENABLED is false: nothing stops password guessing on the login pages.",
                id="accounts.W002",
            )
        )
    return warnings
