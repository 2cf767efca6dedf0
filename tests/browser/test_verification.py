"""The verification page in a real browser, with Chromium's fake camera playing a Y4M file:
the registered face passes, another face fails, a picture with no face fails with a clear message."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connections

from applications.models import Application
from identity.models import Verification
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.conftest import CLEAN_PERSON, api_submit, application_document, settle
from tests.fake_camera import no_face, other_face, registered_face, y4m_write
from tests.identity.conftest import latest_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _with_camera(video: Path, steps: Callable[[object], None]) -> None:
    """Runs the steps in a chromium of their own whose camera plays `video`."""
    require_chromium()

    def session() -> None:
        from playwright.sync_api import sync_playwright

        args = [
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
                context = browser.new_context(locale="zh-CN", permissions=["camera"])
                page = context.new_page()
                page.set_default_timeout(30_000)
                try:
                    steps(page)
                finally:
                    context.close()
                    browser.close()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(session).result(timeout=240)


def _until_the_camera(page, live_server, link: str) -> None:
    page.goto(f"{live_server.url}{link}")
    page.wait_for_selector("#verify[data-step=send_code]")
    page.click("#send-code")
    page.wait_for_selector("#verify[data-step=enter_code]")
    page.fill("#v-code", latest_code(CLEAN_PERSON["phone"]))
    page.click("#check-code")
    page.wait_for_selector("#verify[data-step=face]")
    page.click("#camera-start")
    page.wait_for_selector("#verify[data-camera=ready]")
    page.click("#camera-capture")


@pytest.fixture
def link(live_server, api_client_for, libraries, registry_with_photos) -> str:
    from django.core.cache import cache

    # The per-address throttle counts in the shared cache, across tests.
    cache.delete("throttle_verification_address_127.0.0.1")
    body = api_submit(api_client_for("erp", attests_presence=False), application_document())
    return body["verifications"][0]["link"]


def test_the_registered_face_passes_and_consent_starts_the_checks(live_server, link, tmp_path):
    video = y4m_write(image=registered_face(), path=tmp_path / "me.y4m")

    def steps(page) -> None:
        _until_the_camera(page, live_server, link)
        page.wait_for_selector("#verify[data-step=consent]", timeout=60_000)
        assert "人脸比对通过" in page.inner_text("#face-done") or "复核" in page.inner_text("#face-done")
        page.check("#v-consent")
        page.click("#give-consent")
        page.wait_for_selector("#verify[data-step=done]")
        assert page.is_visible("#v-done")

    _with_camera(video, steps)
    assert Verification.objects.get().status == "verified"
    application = Application.objects.get()
    # The checks started (the session's workers, when running, may already have moved it on).
    assert application.status not in ("submitted", "awaiting_verification")
    assert application.checks.count() == 4
    settle(application.id)


def test_another_face_fails_with_a_clear_message(live_server, link, tmp_path):
    video = y4m_write(image=other_face(), path=tmp_path / "other.y4m")

    def steps(page) -> None:
        _until_the_camera(page, live_server, link)
        error = page.wait_for_selector("[data-error-for=image]:not([hidden])", timeout=60_000)
        assert "不一致" in error.inner_text()
        assert page.get_attribute("#verify", "data-step") == "face"

    _with_camera(video, steps)
    verification = Verification.objects.get()
    assert (verification.status, verification.face_outcome, verification.face_attempts) == ("pending", "no_match", 1)


def test_a_picture_with_no_face_fails_with_a_clear_message(live_server, link, tmp_path):
    video = y4m_write(image=no_face(), path=tmp_path / "coffee.y4m")

    def steps(page) -> None:
        _until_the_camera(page, live_server, link)
        error = page.wait_for_selector("[data-error-for=image]:not([hidden])", timeout=60_000)
        assert "未检测到人脸" in error.inner_text()

    _with_camera(video, steps)
    assert Verification.objects.get().face_attempts == 0
