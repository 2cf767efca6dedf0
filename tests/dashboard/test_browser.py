"""The operator dashboard in a real browser: every chart is drawn, and nothing errors."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.services import user_create_with_role
from applications.models import ApplicationStatus, Check, CheckOutcome, CheckStatus, Outcome
from dashboard.models import ServiceRating
from exchange.models import CircuitState, DepartmentCircuit, ExchangeRecord
from tests.browser.support import run_in_own_browser
from tests.dashboard.conftest import PASSWORD, make_application
from tests.dashboard.test_views import CHART_IDS

# Set to a file path to keep a picture of the page for a human to look at.
SCREENSHOT = os.environ.get("DASHBOARD_SCREENSHOT", "")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _seed() -> None:
    now = timezone.now()
    for index in range(12):
        created = now - timedelta(days=index % 6, minutes=30)
        auto = Outcome.APPROVE if index % 4 else Outcome.REVIEW
        application = make_application(
            created_at=created,
            decided_after=5 + index * 7,
            completed_after=200 + index * 60,
            outcome=Outcome.APPROVE,
            auto_outcome=auto,
        )
        ServiceRating.objects.create(application=application, score=1 + index % 5, comment=f"第 {index} 条意见")
        if auto == Outcome.REVIEW:
            Check.objects.create(
                application=application,
                library="dishonest",
                status=CheckStatus.DONE,
                outcome=CheckOutcome.REVIEW,
                findings=[{"rule": "dishonest.listed_person", "outcome": "review"}],
            )
    rejected = make_application(
        created_at=now - timedelta(hours=3), status=ApplicationStatus.REJECTED, decided_after=2, outcome=Outcome.REJECT
    )
    Check.objects.create(
        application=rejected,
        library="names",
        status=CheckStatus.DONE,
        outcome=CheckOutcome.REJECT,
        findings=[{"rule": "names.prohibited_word", "outcome": "reject"}],
    )
    make_application(
        created_at=now - timedelta(hours=5),
        status=ApplicationStatus.MANUAL_REVIEW,
        decided_after=3,
        outcome=Outcome.REVIEW,
    )
    for department in ("market_regulation", "tax", "bank"):
        for duration, outcome in ((40, "ok"), (90, "ok"), (350, "error")):
            ExchangeRecord.objects.create(
                department=department, endpoint="/apply", duration_ms=duration, outcome=outcome
            )
    DepartmentCircuit.objects.create(department="bank", state=CircuitState.OPEN)


def test_the_dashboard_draws_every_chart_without_errors(live_server):
    _seed()
    user_create_with_role(username="ops", password=PASSWORD, role=Role.OPERATOR)
    run_in_own_browser(lambda page: _dashboard_steps(page, live_server.url))


def _dashboard_steps(page, base_url: str) -> None:
    problems: list[str] = []
    # The browser asks for /favicon.ico on its own; the site has none, and that is not the page's error.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico")
            and problems.append(message.text)
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and not response.url.endswith("/favicon.ico")
            and problems.append(f"{response.status} {response.url}")
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{base_url}/accounts/login/?next=/dashboard/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")

    for chart_id in CHART_IDS:
        svg = page.locator(f"#{chart_id} svg")
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, chart_id
        drawn = page.evaluate(
            """(id) => [...document.querySelectorAll(`#${id} svg rect, #${id} svg circle.gauge-value`)]
                 .filter((shape) => { const b = shape.getBBox(); return b.width > 0 && b.height > 0; }).length""",
            chart_id,
        )
        assert drawn > 0, f"{chart_id} draws nothing"
        assert page.locator(f"#{chart_id} .empty").count() == 0, f"{chart_id} says it has no data"
    # The stylesheet arrived: bars are coloured, not the SVG default black.
    fill = page.evaluate("getComputedStyle(document.querySelector('#chart-applications-per-day rect.bar')).fill")
    assert fill != "rgb(0, 0, 0)"
    assert page.inner_text("#kpi-submitted .kpi-value") == "14"
    assert page.locator("#department-table tr[data-circuit=open]").count() == 1
    assert "第 11 条意见" in page.inner_text("#rating-comments")

    page.click(".period-tab[data-days='30']")
    page.wait_for_url("**/dashboard/?days=30")
    assert page.get_attribute(".period-tab[data-days='30']", "aria-current") == "page"
    assert page.locator("#chart-applications-per-day rect").count() == 30

    assert problems == []
    if SCREENSHOT:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=SCREENSHOT, full_page=True)
