"""``manage.py check --deploy`` warns when personal data is protected by development keys."""

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def personal_data_keys_check(app_configs: list[AppConfig] | None = None, **kwargs: Any) -> list[Warning]:
    warnings = []
    if not settings.PII_ENCRYPTION_KEYS:
        warnings.append(
            Warning(
                "PII_ENCRYPTION_KEYS is not set: ID and phone numbers are encrypted with a key derived from "
                "SECRET_KEY, which is meant for development only.",
                hint='Set PII_ENCRYPTION_KEYS to a Fernet key: python -c "from cryptography.fernet import '
                'Fernet; print(Fernet.generate_key().decode())"',
                id="privacy.W001",
            )
        )
    if not settings.PII_INDEX_KEY:
        warnings.append(
            Warning(
                "PII_INDEX_KEY is not set: blind indexes of ID numbers are keyed with SECRET_KEY.",
                hint="Set PII_INDEX_KEY to a long random string, and keep it: changing it needs every index rebuilt.",
                id="privacy.W002",
            )
        )
    return warnings
