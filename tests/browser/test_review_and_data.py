"""The review desk and "who received my data", in a real browser."""

import pytest

from accounts.models import Role
from accounts.services import user_create_with_role
from applications.models import Application
from intake.api.serializers import ApplicationInputSerializer
from intake.services import application_submit
from tests.conftest import DISHONEST_PERSON, application_document, trusted_channel, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _status(application: Application) -> str:
    application.refresh_from_db()
    return application.status


def test_a_reviewer_claims_and_approves_and_the_applicant_sees_who_received_the_data(
    browser, live_server, celery_workers, libraries, citizens
):
    applicant = user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT)
    user_create_with_role(username="reviewer", password=PASSWORD, role=Role.REVIEWER)
    serializer = ApplicationInputSerializer(
        data=application_document(name="深圳市远峰贸易有限公司", person=DISHONEST_PERSON)
    )
    serializer.is_valid(raise_exception=True)
    application = application_submit(
        document=serializer.validated_data, applicant=applicant, presence_attested_by=trusted_channel()
    ).application
    wait_for(lambda: _status(application) == "manual_review", timeout=60)

    reviewer = browser.new_context(locale="zh-CN").new_page()
    _log_in(reviewer, live_server.url, "reviewer")
    reviewer.goto(f"{live_server.url}/review/")
    reviewer.click(f"tr[data-application='{application.id}'] a")
    # The case page shows the full ID number (and records the view); the queue does not.
    assert DISHONEST_PERSON["id_number"] in reviewer.inner_text("#persons")
    reviewer.click("#claim")
    reviewer.check("input[name=decision][value=approve]")
    reviewer.fill("#reason", "已核实：该案件已执行完毕")
    reviewer.click("#decide")
    reviewer.wait_for_url("**/review/")
    assert reviewer.locator(f"tr[data-application='{application.id}']").count() == 0

    wait_for(lambda: _status(application) == "completed", timeout=90)
    founder = browser.new_context(locale="zh-CN").new_page()
    _log_in(founder, live_server.url, "founder")
    founder.goto(f"{live_server.url}/applications/{application.id}/")
    founder.wait_for_selector("#data-shared tr")

    shared = founder.inner_text("#data-shared")
    assert "税务" in shared and "银行" in shared
    assert "法定代表人身份证号码" in shared  # market regulation and tax receive it
    rows = founder.locator("#data-shared tr")
    housing = [rows.nth(i).inner_text() for i in range(rows.count()) if "公积金" in rows.nth(i).inner_text()]
    assert housing and "身份证" not in housing[0]  # the housing fund never receives ID numbers
