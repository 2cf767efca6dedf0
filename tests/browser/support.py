"""Debian's chromium for the browser tests: where it is, how to start it, how to run steps in it."""

import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking switches chromium keeps calling home, which this closed
# network refuses many times a second.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skips without chromium, except in CI (REQUIRE_BROWSER), where a missing browser fails."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but there is no chromium at {CHROMIUM}")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")


def run_in_own_browser(steps: Callable[[object], None], *, timeout: float = 180) -> None:
    """Runs browser steps in a thread of their own, with their own Playwright and chromium.

    The session-wide browser of tests/browser/conftest.py keeps Playwright's event loop in the
    main thread, and the sync API allows one Playwright per thread. The steps see the test's
    committed data (use a transactional test) through their own connection.
    """
    require_chromium()

    def session() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
        pool.submit(session).result(timeout=timeout)
