"""The Content-Security-Policy allows no inline script, and every page still works under it."""

import pytest
from django.test import Client

from accounts.models import ApplicantProfile, Role
from accounts.services import user_create_with_role
from tests.conftest import CLEAN_PERSON, trusted_channel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def _policy_violations(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def _log_in(page, base_url: str, username: str, *, next_url: str = "/") -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def test_the_policy_header_forbids_inline_script():
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_the_applicant_pages_work_under_the_policy(page, live_server):
    user = user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT)
    ApplicantProfile.objects.create(user=user, **CLEAN_PERSON)
    violations = _policy_violations(page)
    _log_in(page, live_server.url, "founder", next_url="/apply/")

    # The form's scripts (static files) run: another shareholder row, the sample company, the agent.
    page.click("#add-shareholder")
    assert page.locator(".shareholder-row").count() == 2
    assert page.input_value("#shareholder_count") == "2"
    page.click("#sample-company")
    assert page.input_value("#f-company\\.registered_capital") == "1000000.00"
    page.check("#handler_is_agent")
    assert page.locator("#handler-fields").is_visible()

    # The language menu switches at once.
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]", state="attached")
    assert violations == []


def test_the_status_page_renders_and_polls_under_the_policy(page, live_server):
    from intake.api.serializers import ApplicationInputSerializer
    from intake.services import application_submit
    from tests.conftest import application_document

    user = user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT)
    serializer = ApplicationInputSerializer(data=application_document())
    serializer.is_valid(raise_exception=True)
    application = application_submit(
        document=serializer.validated_data, applicant=user, presence_attested_by=trusted_channel()
    ).application
    # Waiting for a reviewer: the page keeps polling, even if the session's workers have
    # already run its checks.
    type(application).objects.filter(pk=application.pk).update(status="manual_review")
    violations = _policy_violations(page)
    _log_in(page, live_server.url, "founder", next_url=f"/applications/{application.id}/")

    # Drawn by status.js from the embedded JSON, then refreshed from the poll URL.
    page.wait_for_selector("#app-status[data-status]")
    with page.expect_response(lambda response: response.url.endswith("/status.json")) as polled:
        pass
    assert polled.value.status in (200, 304)  # 304: unchanged since the embedded JSON's ETag
    assert page.locator("#checks tr").count() >= 4
    assert violations == []


def test_the_api_docs_work_offline_under_the_policy(page, live_server):
    violations = _policy_violations(page)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "OneWindow API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() >= 2
    assert violations == []


def test_the_admin_works_under_the_policy(page, live_server):
    user_create_with_role(
        username="admin-mr", password=PASSWORD, role=Role.DEPARTMENT_ADMIN, department="market_regulation"
    )
    violations = _policy_violations(page)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/rules/listversion/")
    page.fill("#id_username", "admin-mr")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/rules/listversion/")
    page.goto(f"{live_server.url}/admin/rules/listentry/")
    page.wait_for_selector("#changelist")
    assert violations == []
