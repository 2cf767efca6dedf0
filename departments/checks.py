"""``manage.py check --deploy`` warnings about how the department systems are run and keyed."""

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.urls import NoReverseMatch, reverse


def _served_here() -> bool:
    """Whether this process serves the department endpoints (embedded, or the departments service)."""
    try:
        reverse("departments:health", kwargs={"code": settings.DEPARTMENT_CODES[0]})
    except NoReverseMatch:
        return False
    return True


@register(Tags.security, deploy=True)
def departments_deployment_check(app_configs: list[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    warnings: list[CheckMessage] = []
    if settings.DEPARTMENTS_EMBEDDED:
        warnings.append(
            Warning(
                "DEPARTMENTS_EMBEDDED is on: the simulated departments are mounted in this web server under "
                "/departments/ and share its database. That is the development default.",
                hint="Run the departments as their own service (docker/docker-compose.yml) and set "
                "DEPARTMENTS_EMBEDDED=false.",
                id="departments.W001",
            )
        )
    if settings.DEPARTMENT_CREDENTIALS_GENERATED:
        warnings.append(
            Warning(
                "Some DEPARTMENT_TOKEN_<CODE> / DEPARTMENT_SIGNING_KEY_<CODE> are not set: they were generated "
                "for this install and are kept in VAR_DIR/department-credentials.json.",
                hint="Give every department its own token and signing key through the environment.",
                id="departments.W002",
            )
        )
    if _served_here():
        if not [key for key in settings.DEPARTMENTS_PII_KEY if key.strip()]:
            warnings.append(
                Warning(
                    "DEPARTMENTS_PII_KEY is not set: the departments encrypt ID and phone numbers with a key "
                    "derived from SECRET_KEY, which is meant for development only.",
                    hint="Set DEPARTMENTS_PII_KEY to a Fernet key of the departments' own.",
                    id="departments.W003",
                )
            )
        if not settings.DEPARTMENTS_PII_INDEX_KEY:
            warnings.append(
                Warning(
                    "DEPARTMENTS_PII_INDEX_KEY is not set: the citizen registry's blind index is keyed with a "
                    "key derived from SECRET_KEY.",
                    hint="Set DEPARTMENTS_PII_INDEX_KEY to a long random string of the departments' own.",
                    id="departments.W004",
                )
            )
    return warnings
