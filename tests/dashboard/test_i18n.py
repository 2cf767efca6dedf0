"""The dashboard and the rating box speak the visitor's language: Chinese by default, English on request."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone, translation

from accounts.models import Role
from applications.models import ApplicationStatus, Check, CheckOutcome, CheckStatus, Outcome
from dashboard.charts import format_seconds
from dashboard.models import ServiceRating
from exchange.models import CircuitState, DepartmentCircuit
from tests.dashboard.conftest import make_application
from tests.dashboard.test_views import _render_rating_form

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
COMMENT = "办得很快，点赞"


class _Texts(HTMLParser):
    """The text of an HTML fragment, keyed by the innermost tag (and its class) around it."""

    VOID = {"input", "br", "hr", "img", "link", "meta", "rect", "line", "circle"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.texts: list[tuple[str, str, str]] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.attributes += [value for name, value in attrs if name in ("aria-label", "title") and value]
        if tag not in self.VOID:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and self.stack:
            tag, attributes = self.stack[-1]
            self.texts.append((tag, attributes.get("class") or "", data.strip()))


def _dashboard_html(html: str) -> str:
    start = html.index('<div class="dashboard" id="dashboard"')
    return html[start : html.index("</main>", start)] if "</main>" in html[start:] else html[start:]


def _texts(html: str) -> _Texts:
    parser = _Texts()
    parser.feed(html)
    return parser


@pytest.fixture
def figures(people):
    """A week with something in every chart: decisions, a backlog, checks, a rating with a comment."""
    now = timezone.now()
    rated = make_application(
        created_at=now - timedelta(hours=3),
        decided_after=2,
        completed_after=600,
        auto_outcome=Outcome.APPROVE,
        outcome=Outcome.APPROVE,
        applicant=people[Role.APPLICANT],
    )
    make_application(created_at=now - timedelta(hours=6), status=ApplicationStatus.MANUAL_REVIEW, decided_after=5)
    make_application(created_at=now - timedelta(minutes=20), status=ApplicationStatus.MANUAL_REVIEW, decided_after=5)
    Check.objects.create(
        application=rated,
        library="names",
        status=CheckStatus.DONE,
        outcome=CheckOutcome.REVIEW,
        findings=[{"rule": "names.similar_name", "outcome": CheckOutcome.REVIEW, "library": "names"}],
    )
    ServiceRating.objects.create(application=rated, score=4, comment=COMMENT)
    DepartmentCircuit.objects.create(department="bank", state=CircuitState.OPEN)
    return rated


def _get(user, **headers) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/dashboard/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_is_in_english_on_request(people, figures):
    html = _get(people[Role.OPERATOR], HTTP_ACCEPT_LANGUAGE="en")
    page = _texts(_dashboard_html(html))

    headings = [text for tag, _css, text in page.texts if tag in ("h1", "h2")]
    assert headings == [
        "Operator dashboard",
        "Applications per day",
        "Instant approval rate",
        "Processing time",
        "Interceptions per rule library",
        "Most triggered rules",
        "Manual review backlog",
        "Service rating",
        "Failed filings awaiting a resend",
        "Department interface health",
        "Latest comments",
    ]
    assert [text for tag, _css, text in page.texts if tag == "th"] == [
        "Department",
        "Calls",
        "P50 latency",
        "P95 latency",
        "Error rate",
        "Circuit breaker",
        "Open items",
    ]
    assert [text for _tag, css, text in page.texts if css == "kpi-label"] == [
        "Applications",
        "Instant approval rate",
        "Decision P50",
        "Completion P50",
        "Manual review backlog",
        "Average score",
    ]
    assert "Last 7 days" in html and "Last 30 days" in html
    assert '<span class="badge circuit-open">Tripped</span>' in html
    assert "2 applications waiting for review" in html

    # Every word on the page is English; the applicant's comment is data and stays as written.
    shown = [text for _tag, _css, text in page.texts if text != COMMENT] + page.attributes
    assert [text for text in shown if CJK.search(text)] == []
    assert COMMENT in html


def test_the_dashboard_is_in_chinese_by_default(people, figures):
    page = _texts(_dashboard_html(_get(people[Role.OPERATOR])))

    headings = [text for tag, _css, text in page.texts if tag in ("h1", "h2")]
    assert headings[:3] == ["运营看板", "每日申请量", "秒批率"]
    assert "部门接口健康度" in headings
    texts = [text for _tag, _css, text in page.texts]
    assert "熔断" in texts
    assert "当前待审 2 件；" in " ".join(texts)
    assert not any(re.search(r"\b(Operator|Applications|Department)\b", text) for text in texts)


def test_the_rating_box_is_translated(people, figures):
    completed = make_application(
        created_at=timezone.now() - timedelta(hours=1),
        status=ApplicationStatus.COMPLETED,
        applicant=people[Role.APPLICANT],
    )
    with translation.override("en"):
        form = _render_rating_form(completed, people[Role.APPLICANT])
        rated = _render_rating_form(figures, people[Role.APPLICANT])
    assert "Submit rating" in form and "1 point" in form and "5 points" in form
    assert "Your rating:" in rated and "4 points" in rated
    for html in (form, rated):
        page = _texts(html.split("<script>")[0])
        shown = [text for _tag, _css, text in page.texts if text != COMMENT] + page.attributes
        assert [text for text in shown if CJK.search(text)] == []

    with translation.override("zh-hans"):
        assert "提交评价" in _render_rating_form(completed, people[Role.APPLICANT])


def test_durations_are_written_in_the_active_language():
    with translation.override("en"):
        assert [format_seconds(s) for s in (0.84, 45, 210, 7200, 259200)] == [
            "0.8 s",
            "45 s",
            "3.5 min",
            "2.0 h",
            "3.0 days",
        ]
    with translation.override("zh-hans"):
        assert format_seconds(45) == "45 秒"
