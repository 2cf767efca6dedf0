"""Outcomes in a real browser: a failed department explained, an operator's resend, the licence
and its public verification page, all under the Content-Security-Policy."""

from urllib.parse import urlsplit

import pytest

from accounts.models import Role
from accounts.services import user_create_with_role
from tests.conftest import application_document, wait_for
from tests.workflow.driver import department_configure, submit
from workflow.outbox import outbox_relay
from workflow.resend import work_item_resend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def _relay_until(application, status: str) -> None:
    """Beat's part, which no test runs: the relay publishes the delayed messages (retries, and
    calls waiting for an open circuit) until the application reaches the status."""

    def reached() -> bool:
        outbox_relay(grace_seconds=0)
        application.refresh_from_db()
        return application.status == status

    wait_for(reached, timeout=120)


def test_the_status_page_explains_a_failed_department_and_offers_the_licence_after_a_resend(
    page, live_server, celery_workers, libraries, citizens
):
    applicant = user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT)
    department_configure("market_regulation", failure_rate=1.0)
    application = submit(application_document(name="深圳市回春科技有限公司"), applicant=applicant)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/accounts/login/?next=/applications/{application.id}/")
    page.fill("#id_username", "founder")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    _relay_until(application, "incomplete")
    page.wait_for_selector("#app-status[data-status=incomplete]", timeout=30_000)
    assert page.is_visible("#incomplete-box")
    market = page.inner_text("#failed-market_regulation")
    assert "市场监管" in market and "重新报送" in market
    assert "自动继续" in page.inner_text("#failed-tax")
    assert not page.is_visible("#licence-box")

    department_configure("market_regulation", failure_rate=0.0)
    item = application.work_items.get(department="market_regulation")
    work_item_resend(work_item_id=item.pk, reason="市场监管系统已恢复", actor="user:operator")

    # The circuit opened on the failures: the resent call waits for it to half-open.
    _relay_until(application, "completed")
    page.wait_for_selector("#app-status[data-status=completed]", timeout=30_000)
    assert not page.is_visible("#incomplete-box")
    assert page.is_visible("#licence-link")
    with page.expect_download() as download:
        page.click("#licence-link")
    assert download.value.suggested_filename.startswith("licence-")

    # The public verification page the QR code links to (the link beside the download).
    verify_url = page.get_attribute("#licence-verify", "href")
    page.goto(live_server.url + urlsplit(verify_url).path)
    assert page.get_attribute("#licence-verdict", "data-verdict") == "valid"
    assert "深圳市回春科技有限公司" in page.inner_text("#licence-fields")
    assert violations == []  # no inline script on the status page or the verify page
