"""The applicant's pages in a real browser: the one form, its errors, and the live status page."""

import pytest
from stdnum.cn import uscc

from accounts.models import ApplicantProfile, Role
from accounts.services import user_create_with_role
from applications.models import Application
from intake.demo_photos import astronaut_image, encoded
from tests.conftest import CLEAN_PERSON
from tests.identity.conftest import latest_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def _log_in(page, base_url: str, *, next_url: str) -> None:
    user = user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT, full_name="创业者")
    ApplicantProfile.objects.create(user=user, **CLEAN_PERSON)
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.fill("#id_username", "founder")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _verify_in_the_same_flow(page, tmp_path) -> None:
    """The applicant lands on their own verification page: code, a photo (upload), consent."""
    page.wait_for_url("**/verify/**")
    page.click("#send-code")
    page.wait_for_selector("#verify[data-step=enter_code]")
    page.fill("#v-code", latest_code(CLEAN_PERSON["phone"]))
    page.click("#check-code")
    page.wait_for_selector("#verify[data-step=face]")
    photo = tmp_path / "me.jpg"
    photo.write_bytes(encoded(astronaut_image(), format="JPEG"))
    page.set_input_files("#v-image", str(photo))
    page.click("#upload-image")
    page.wait_for_selector("#verify[data-step=consent]", timeout=60_000)
    page.check("#v-consent")
    page.click("#give-consent")
    page.wait_for_selector("#verify[data-step=done]")
    page.click("#to-status")


def test_the_form_submits_and_the_status_page_follows_to_completion_without_reload(
    page, live_server, celery_workers, libraries, registry_with_photos, tmp_path
):
    _log_in(page, live_server.url, next_url="/apply/")
    page.wait_for_url("**/apply/")
    # Filled in from the applicant's verified identity (无填报).
    assert page.input_value("#f-legal_representative\\.id_number") == CLEAN_PERSON["id_number"]

    page.click("#sample-company")
    page.fill("#f-company\\.name", "深圳市澄明科技有限公司")
    page.click("#submit")
    _verify_in_the_same_flow(page, tmp_path)

    page.wait_for_url("**/applications/**")
    page.evaluate("window.__notReloaded = true")
    page.wait_for_selector("#app-status[data-status=completed]", timeout=90_000)

    assert page.evaluate("window.__notReloaded") is True
    code = page.inner_text("#credit-code")
    assert uscc.is_valid(code)
    assert page.locator("#departments tr[data-status=done]").count() == 6
    assert page.locator("#checks tr[data-status=done]").count() == 4
    assert Application.objects.get().credit_code == code


def test_the_form_shows_field_errors_and_stores_nothing(page, live_server):
    _log_in(page, live_server.url, next_url="/apply/")
    page.wait_for_url("**/apply/")
    page.fill("#f-legal_representative\\.phone", "12345")
    page.click("#submit")

    assert page.locator("[data-error-for='company.name']").is_visible()
    assert page.locator("[data-error-for='legal_representative.phone']").is_visible()
    assert page.get_attribute("#f-company\\.name", "aria-invalid") == "true"
    assert Application.objects.count() == 0


def test_a_rejection_shows_the_rule_that_fired(
    page, live_server, celery_workers, libraries, registry_with_photos, tmp_path
):
    _log_in(page, live_server.url, next_url="/apply/")
    page.wait_for_url("**/apply/")
    page.click("#sample-company")
    page.fill("#f-company\\.name", "深圳市色情文化有限公司")
    page.click("#submit")
    _verify_in_the_same_flow(page, tmp_path)

    page.wait_for_selector("#app-status[data-status=rejected]", timeout=90_000)

    assert page.locator("#rejection-box").is_visible()
    assert "色情" in page.inner_text("#rejection-findings")
