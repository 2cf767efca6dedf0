"""Constructed applications, checks, exchange records and ratings for the dashboard's tests."""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.utils import timezone

from accounts.models import Role
from accounts.services import user_create_with_role
from intake.models import Application, ApplicationStatus

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


def run_in_browser(steps: Callable[[object], None]) -> None:
    """Runs browser steps in a thread of their own, with their own Playwright and chromium.

    The session-wide browser of tests/browser/conftest.py keeps Playwright's event loop in the
    main thread, and the sync API allows one Playwright per thread: importing that fixture here
    would start a second one in the same thread, which fails once both suites run together.
    The steps see the test's committed data (use a transactional test) through their own
    connection.
    """
    from tests.browser.conftest import CHROMIUM

    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but there is no chromium at {CHROMIUM}")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")

    def session() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
                )
                context = browser.new_context(locale="zh-CN")
                page = context.new_page()
                page.set_default_timeout(15_000)
                try:
                    steps(page)
                finally:
                    context.close()
                    browser.close()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(session).result(timeout=180)
