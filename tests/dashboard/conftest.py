"""Constructed applications, checks, exchange records and ratings for the dashboard's tests."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from accounts.models import Role
from accounts.services import user_create_with_role
from applications.models import Application, ApplicationStatus

PASSWORD = "a-long-test-password"


def at(day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    """A moment in November 2026, local time (Asia/Shanghai)."""
    return timezone.make_aware(datetime(2026, 11, day, hour, minute, second))


# "Now" for the selector tests: 20 November 2026, 18:00 local.
NOW = at(20, 18)


def make_application(
    *,
    created_at: datetime,
    status: str = ApplicationStatus.COMPLETED,
    decided_after: float | None = None,
    completed_after: float | None = None,
    outcome: str | None = None,
    auto_outcome: str | None = None,
    applicant: User | None = None,
    name: str = "深圳市云帆科技有限公司",
) -> Application:
    application = Application.objects.create(
        status=status,
        outcome=outcome,
        auto_outcome=auto_outcome,
        company_name=name,
        address="深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
        business_scope="软件开发",
        registered_capital="1000000.00",
        applicant=applicant,
    )
    # created_at is set on insert; these tests need it in the past.
    Application.objects.filter(pk=application.pk).update(
        created_at=created_at,
        decided_at=created_at + timedelta(seconds=decided_after) if decided_after is not None else None,
        completed_at=created_at + timedelta(seconds=completed_after) if completed_after is not None else None,
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def people(db: None) -> dict[str, User]:
    users = {
        role: user_create_with_role(
            username=role.value,
            password=PASSWORD,
            role=role,
            department="tax" if role == Role.DEPARTMENT_ADMIN else None,
        )
        for role in (Role.APPLICANT, Role.REVIEWER, Role.OPERATOR, Role.DEPARTMENT_ADMIN)
    }
    users[Role.APPLICANT + "-2"] = user_create_with_role(
        username="another-applicant", password=PASSWORD, role=Role.APPLICANT
    )
    return users


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: object) -> None:
    # Five users per test with the production hasher would spend most of the run hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    # A request with Accept-Language: en in an earlier test leaves English active in this thread;
    # the dashboard's tests expect the default language unless they choose another.
    translation.deactivate()
    yield
    translation.deactivate()
