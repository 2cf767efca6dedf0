"""The rules admin in a real browser: the try-it console and the import screen's error report.

Playwright's sync API refuses to start in a thread where another Playwright session is alive
(tests/browser keeps a session-wide one), so each test drives its own chromium in a fresh
thread; the same launch flags as tests/browser/conftest.py.
"""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from rules.models import ListVersion
from rules.services import list_import
from tests.browser.support import run_in_own_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-for-browser-tests"


@pytest.fixture
def market_admin(db) -> str:
    user = get_user_model().objects.create_user(username="market", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="department_admin")[0])
    user.groups.add(Group.objects.get_or_create(name="dept:market_regulation")[0])
    return user.username


def login(page, url: str, username: str) -> None:
    page.goto(f"{url}/admin/login/?next=/admin/rules/listversion/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/rules/listversion/")


def test_the_try_it_console_shows_findings_with_highlighted_spans(live_server, market_admin) -> None:
    list_import(kind="name_words", text="word,level,reason\n赌博,prohibited,违背公序良俗\n", publish=True)
    seen: dict[str, str] = {}

    def steps(page) -> None:
        login(page, live_server.url, market_admin)
        page.click("text=试一试 / try it")
        page.fill("#id_company_name", "深圳市賭·博科技有限公司")
        page.click("#tryit-submit")
        finding = page.locator('.ow-check[data-library="names"] .ow-finding[data-rule="prohibited_word"]')
        finding.wait_for()
        seen["outcome"] = page.locator('.ow-check[data-library="names"] h2 .ow-outcome-reject').inner_text()
        seen["mark"] = finding.locator("mark.ow-span").inner_text()
        seen["text"] = finding.inner_text()

    run_in_own_browser(steps)
    assert seen["outcome"] == "reject"
    assert seen["mark"] == "賭·博"
    assert "禁用字词" in seen["text"] and "prohibited word" in seen["text"]


def test_the_import_screen_lists_every_bad_row_by_line(live_server, market_admin, tmp_path) -> None:
    bad = tmp_path / "words.csv"
    bad.write_text(
        "word,level,reason\n赌博,prohibited,违背公序良俗\n国际,forbidden,须经批准\n,restricted,空\n", "utf-8"
    )
    good = tmp_path / "good.csv"
    good.write_text("word,level,reason\n赌博,prohibited,违背公序良俗\n", "utf-8")
    seen: dict[str, object] = {}

    def steps(page) -> None:
        login(page, live_server.url, market_admin)
        page.click("text=批量导入 / import")
        page.select_option("#id_kind", "name_words")
        page.set_input_files("#id_file", str(bad))
        page.click("#import-submit")
        page.locator("#import-error-report").wait_for()
        rows = page.locator("#import-error-report tr.import-error")
        seen["rows"] = [
            (rows.nth(i).locator("td.line").inner_text(), rows.nth(i).locator("td.reason").inner_text())
            for i in range(rows.count())
        ]
        seen["banner"] = page.locator("#import-errors").inner_text()
        seen["versions_after_bad"] = ListVersion.objects.count()
        page.select_option("#id_kind", "name_words")
        page.set_input_files("#id_file", str(good))
        page.check("#id_publish")
        page.click("#import-submit")
        page.wait_for_url("**/admin/rules/listversion/?kind__exact=name_words")

    run_in_own_browser(steps)
    lines = [line for line, _ in seen["rows"]]
    assert lines == ["3", "4"]
    assert "level must be one of" in seen["rows"][0][1]
    assert "empty required field" in seen["rows"][1][1]
    assert "Nothing was imported" in seen["banner"]
    assert seen["versions_after_bad"] == 0
    version = ListVersion.objects.get(kind="name_words")
    assert (version.status, version.published_by, version.entry_count) == ("published", "market", 1)
