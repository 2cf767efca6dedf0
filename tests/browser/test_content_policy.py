"""The Content-Security-Policy allows no inline script, and every page still works under it."""

import pytest
from django.test import Client

from accounts.models import ApplicantProfile, Role
from accounts.services import user_create_with_role
from intake.models import Application
from tests.conftest import _WORKERS_RUNNING, CLEAN_PERSON, wait_for

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


def test_the_status_page_renders_and_polls_under_the_policy(page, live_server, libraries, citizens):
    from intake.api.serializers import ApplicationInputSerializer
    from intake.services import application_submit
    from tests.conftest import DISHONEST_PERSON, application_document

    user = user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT)
    # Someone on the dishonest list: whether or not workers run, the application never reaches
    # a final state during the test, so the page keeps polling.
    serializer = ApplicationInputSerializer(data=application_document(person=DISHONEST_PERSON))
    serializer.is_valid(raise_exception=True)
    application = application_submit(document=serializer.validated_data, applicant=user).application
    violations = _policy_violations(page)
    with page.expect_response(lambda response: response.url.endswith("/status.json")) as polled:
        _log_in(page, live_server.url, "founder", next_url=f"/applications/{application.id}/")
    # Drawn by status.js from the embedded JSON, then refreshed from the poll URL.
    assert polled.value.ok
    page.wait_for_selector("#app-status[data-status]")
    assert page.locator("#checks tr").count() >= 4
    assert violations == []
    if _WORKERS_RUNNING.is_set():
        # Let the session's workers finish the checks before the tables are flushed.
        wait_for(lambda: Application.objects.get(pk=application.pk).status == "manual_review")


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
