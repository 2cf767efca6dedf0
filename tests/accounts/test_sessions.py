"""Session lifetimes: a working day for applicants; browser-close and an idle limit for reviewers
and staff, who see full ID numbers or administer lists."""

import time

import pytest
from django.conf import settings
from django.test import Client

from accounts.middleware import LAST_SEEN_KEY
from accounts.models import Role
from accounts.services import user_create_with_role

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def _logged_in_client(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD, "next": "/"})
    assert response.status_code == 302
    return client


def test_an_applicants_session_lasts_a_working_day():
    user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT)
    client = _logged_in_client("founder")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 8 * 3600 == settings.SESSION_COOKIE_AGE
    assert cookie["httponly"]


@pytest.mark.parametrize(
    ("username", "role", "department", "page"),
    [
        ("reviewer", Role.REVIEWER, None, "/review/"),
        ("admin-mr", Role.DEPARTMENT_ADMIN, "market_regulation", "/admin/"),
    ],
)
def test_privileged_sessions_end_with_the_browser_and_after_idling(username, role, department, page):
    user_create_with_role(username=username, password=PASSWORD, role=role, department=department)
    client = _logged_in_client(username)
    response = client.get(page)
    assert response.status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie

    # The reviewer walks away: the server-side clock says the last request was 31 minutes ago.
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.PRIVILEGED_SESSION_IDLE_SECONDS - 60
    session.save()
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    # And the old cookie is no good any more.
    assert client.get(page).status_code == 302
