"""Who may see the dashboard, and who may rate what: enforced by the server."""

import pytest
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.test import Client

from accounts.models import Role
from applications.models import ApplicationStatus
from audit.models import AuditEvent
from dashboard.models import ServiceRating
from dashboard.services import RatingRefused, rating_submit
from tests.dashboard.conftest import at, make_application

pytestmark = pytest.mark.django_db

CHART_IDS = [
    "chart-applications-per-day",
    "chart-timings",
    "chart-instant-approval",
    "chart-interceptions",
    "chart-top-rules",
    "chart-review-backlog",
    "chart-department-latency",
    "chart-department-errors",
    "chart-ratings",
]


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_log_in():
    response = _client().get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/")


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.DEPARTMENT_ADMIN])
def test_other_roles_are_refused(people, role):
    assert _client(people[role]).get("/dashboard/").status_code == 403


@pytest.mark.parametrize("days", ["", "7", "30", "365", "abc"])
def test_operators_see_every_chart(people, days):
    make_application(created_at=at(18))
    response = _client(people[Role.OPERATOR]).get(f"/dashboard/?days={days}")

    assert response.status_code == 200
    html = response.content.decode()
    for chart_id in CHART_IDS:
        assert f'id="{chart_id}"' in html
    assert "秒批率" in html
    expected = 30 if days == "30" else 7
    assert f'data-days="{expected}"' in html


def test_a_superuser_sees_the_dashboard(django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="a-long-test-password")
    assert _client(admin).get("/dashboard/").status_code == 200


# --- Ratings ------------------------------------------------------------------------------------


@pytest.fixture
def completed(people):
    return make_application(created_at=at(18), status=ApplicationStatus.COMPLETED, applicant=people[Role.APPLICANT])


def test_the_owner_rates_a_completed_application_once(people, completed):
    client = _client(people[Role.APPLICANT])

    response = client.post(f"/dashboard/ratings/{completed.id}/", {"score": "4", "comment": "  办得很快  "})

    assert response.status_code == 302
    assert response["Location"] == f"/applications/{completed.id}/"
    rating = ServiceRating.objects.get(application=completed)
    assert (rating.score, rating.comment) == (4, "办得很快")
    event = AuditEvent.objects.get(action="rating.submitted")
    assert (event.application_id, event.actor, event.data) == (completed.id, "user:applicant", {"score": 4})

    client.post(f"/dashboard/ratings/{completed.id}/", {"score": "1"})
    assert ServiceRating.objects.get(application=completed).score == 4


def test_another_applicants_application_is_not_found(people, completed):
    response = _client(people[Role.APPLICANT + "-2"]).post(f"/dashboard/ratings/{completed.id}/", {"score": "5"})
    assert response.status_code == 404
    assert _client(people[Role.OPERATOR]).post(f"/dashboard/ratings/{completed.id}/", {"score": "5"}).status_code == 404
    assert not ServiceRating.objects.exists()


def test_anonymous_rating_is_sent_to_log_in(completed):
    response = _client().post(f"/dashboard/ratings/{completed.id}/", {"score": "5"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ServiceRating.objects.exists()


def test_rating_is_post_only(people, completed):
    assert _client(people[Role.APPLICANT]).get(f"/dashboard/ratings/{completed.id}/").status_code == 405


@pytest.mark.parametrize(
    "status", [ApplicationStatus.CHECKING, ApplicationStatus.DISPATCHING, ApplicationStatus.REJECTED]
)
def test_an_application_that_is_not_completed_cannot_be_rated(people, status):
    application = make_application(created_at=at(18), status=status, applicant=people[Role.APPLICANT])

    response = _client(people[Role.APPLICANT]).post(f"/dashboard/ratings/{application.id}/", {"score": "5"})

    assert response.status_code == 302
    assert not ServiceRating.objects.exists()
    with pytest.raises(RatingRefused, match="办结后才能评价"):
        rating_submit(application=application, user=people[Role.APPLICANT], score=5)


@pytest.mark.parametrize(
    ("score", "comment", "message"),
    [(0, "", "1 到 5"), (6, "", "1 到 5"), (3, "好" * 501, "500")],
)
def test_bad_scores_and_long_comments_are_refused(people, completed, score, comment, message):
    with pytest.raises(RatingRefused, match=message):
        rating_submit(application=completed, user=people[Role.APPLICANT], score=score, comment=comment)


def test_the_service_refuses_anyone_but_the_owner(people, completed):
    with pytest.raises(RatingRefused, match="申请人本人"):
        rating_submit(application=completed, user=people[Role.APPLICANT + "-2"], score=5)


def test_a_second_rating_is_refused(people, completed):
    rating_submit(application=completed, user=people[Role.APPLICANT], score=5, comment="")
    with pytest.raises(RatingRefused, match="已评价"):
        rating_submit(application=completed, user=people[Role.APPLICANT], score=3)


def test_the_database_refuses_a_score_outside_one_to_five(completed):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRating.objects.create(application=completed, score=6)


def _render_rating_form(application, user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load dashboard_ratings %}{% rating_form application %}")
    return template.render(Context({"application": application, "request": request, "csrf_token": "token"}))


def test_the_rating_box_offers_the_form_then_shows_the_rating(people, completed):
    html = _render_rating_form(completed, people[Role.APPLICANT])
    assert 'id="rating-form"' in html
    assert f'action="/dashboard/ratings/{completed.id}/"' in html
    assert 'id="rating-box" data-rated="false">' in html

    ServiceRating.objects.create(application=completed, score=4, comment="不错")
    html = _render_rating_form(completed, people[Role.APPLICANT])
    assert 'id="rating-form"' not in html
    assert "★★★★☆" in html
    assert "不错" in html


def test_the_rating_box_is_hidden_until_completion(people):
    application = make_application(
        created_at=at(18), status=ApplicationStatus.DISPATCHING, applicant=people[Role.APPLICANT]
    )
    assert 'data-rated="false" hidden' in _render_rating_form(application, people[Role.APPLICANT])
