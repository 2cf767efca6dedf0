"""Password guessing is locked out (django-axes) on both login pages; weak passwords are refused."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import Role
from accounts.services import user_create_with_role

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"
LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def staff_user():
    # A department administrator is staff, so the same account can use both login pages.
    return user_create_with_role(
        username="admin-mr", password=PASSWORD, role=Role.DEPARTMENT_ADMIN, department="market_regulation"
    )


def _login(client: Client, page: str, username: str, password: str, **extra):
    return client.post(page, {"username": username, "password": password, "next": "/"}, **extra)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_six_wrong_passwords_lock_out_the_right_one(page, staff_user):
    client = Client()
    for _ in range(6):
        response = _login(client, page, "admin-mr", "wrong-password")
        assert not _logged_in(client)
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()

    response = _login(client, page, "admin-mr", PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    # Not from another address either: the username itself is locked.
    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    assert _login(elsewhere, page, "admin-mr", PASSWORD).status_code == 429
    assert not _logged_in(elsewhere)


def test_the_lockout_page_speaks_english_too(staff_user):
    client = Client()
    for _ in range(5):
        _login(client, "/accounts/login/", "admin-mr", "wrong-password")
    page = _login(client, "/accounts/login/", "admin-mr", PASSWORD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Login temporarily locked" in page
    assert "15 minutes" in page


def test_an_address_guessing_many_usernames_is_locked_out(staff_user):
    user_create_with_role(username="someone", password=PASSWORD, role=Role.APPLICANT)
    guesser = Client(REMOTE_ADDR="10.1.1.1")
    for attempt in range(5):
        _login(guesser, "/accounts/login/", f"user{attempt}", "wrong-password")
    assert _login(guesser, "/accounts/login/", "someone", PASSWORD).status_code == 429
    assert not _logged_in(guesser)
    # Someone else, from another address, is not affected.
    other = Client(REMOTE_ADDR="10.2.2.2")
    assert _login(other, "/accounts/login/", "someone", PASSWORD).status_code == 302
    assert _logged_in(other)


def test_a_few_mistakes_then_the_right_password_still_logs_in(staff_user):
    client = Client()
    for _ in range(4):
        _login(client, "/accounts/login/", "admin-mr", "wrong-password")
    assert _login(client, "/accounts/login/", "admin-mr", PASSWORD).status_code == 302
    assert _logged_in(client)


@pytest.mark.parametrize("password", ["password123", "1234567890123", "admin-mr-2024", "short"])
def test_weak_passwords_are_refused_when_changing_a_password(client, staff_user, password):
    client.post("/admin/login/", {"username": "admin-mr", "password": PASSWORD, "next": "/admin/"})
    response = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200  # the form again, with the validator's message
    assert response.context["form"].errors["new_password2"]
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)


def test_the_validators_are_the_four_standard_ones(staff_user):
    for weak in ("password", "12345678901", "admin-mr-admin"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=staff_user)
    validate_password("correct-horse-battery-staple", user=staff_user)
