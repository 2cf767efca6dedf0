"""Every role boundary, tried from the wrong side: by id, by list, by guessed URL, API and admin."""

import pytest

from accounts.models import Role
from accounts.services import user_create_with_role
from applications.models import Application
from intake.api.serializers import ApplicationInputSerializer
from intake.services import application_submit
from tests.conftest import CLEAN_PERSON, application_document, trusted_channel

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def _user(username: str, role: Role, department: str | None = None):
    return user_create_with_role(username=username, password=PASSWORD, role=role, department=department)


def _application_of(user) -> Application:
    serializer = ApplicationInputSerializer(data=application_document(name="深圳市嘉树科技有限公司"))
    serializer.is_valid(raise_exception=True)
    return application_submit(
        document=serializer.validated_data, applicant=user, presence_attested_by=trusted_channel()
    ).application


@pytest.fixture
def owner_and_application():
    owner = _user("owner", Role.APPLICANT)
    return owner, _application_of(owner)


def test_another_applicant_gets_404_by_id_and_guessed_urls_and_sees_nothing_in_lists(client, owner_and_application):
    _, application = owner_and_application
    _user("stranger", Role.APPLICANT)
    client.login(username="stranger", password=PASSWORD)

    for url in (
        f"/applications/{application.id}/",
        f"/applications/{application.id}/status.json",
        f"/apply/?from={application.id}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "嘉树" not in response.content.decode()
    assert "嘉树" not in client.get("/").content.decode()


def test_the_owner_sees_their_own_application(client, owner_and_application):
    _, application = owner_and_application
    client.login(username="owner", password=PASSWORD)
    assert client.get(f"/applications/{application.id}/").status_code == 200
    assert "嘉树" in client.get("/").content.decode()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OPERATOR])
def test_other_roles_cannot_read_an_applicants_status_page(client, owner_and_application, role):
    _, application = owner_and_application
    _user("someone", role)
    client.login(username="someone", password=PASSWORD)
    assert client.get(f"/applications/{application.id}/status.json").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, owner_and_application):
    _, application = owner_and_application
    response = client.get(f"/applications/{application.id}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.OPERATOR])
def test_only_reviewers_reach_the_review_desk(client, owner_and_application, role):
    _, application = owner_and_application
    _user("someone", role)
    client.login(username="someone", password=PASSWORD)
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/{application.id}/").status_code == 403


def test_a_department_administrator_is_no_reviewer(client, owner_and_application):
    _, application = owner_and_application
    _user("admin-mr", Role.DEPARTMENT_ADMIN, department="market_regulation")
    client.login(username="admin-mr", password=PASSWORD)
    assert client.get("/review/").status_code == 403


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.OPERATOR])
def test_roles_without_admin_work_get_403_from_the_admin(client, owner_and_application, role):
    _, application = owner_and_application
    _user("someone", role)
    client.login(username="someone", password=PASSWORD)
    for url in (
        "/admin/",
        "/admin/applications/application/",
        f"/admin/applications/application/{application.id}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "嘉树" not in response.content.decode()


def test_a_department_administrator_sees_no_applications_or_users_in_the_admin(client, owner_and_application):
    _, application = owner_and_application
    _user("admin-mr", Role.DEPARTMENT_ADMIN, department="market_regulation")
    client.login(username="admin-mr", password=PASSWORD)

    assert client.get("/admin/").status_code == 200
    for url in (
        "/admin/applications/application/",
        f"/admin/applications/application/{application.id}/change/",
        "/admin/auth/user/",
        "/admin/audit/auditevent/",
        "/admin/exchange/sharingpolicy/",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert CLEAN_PERSON["id_number"] not in response.content.decode()


def test_no_demo_role_is_a_superuser():
    users = [
        _user("a", Role.APPLICANT),
        _user("r", Role.REVIEWER),
        _user("o", Role.OPERATOR),
        _user("d", Role.DEPARTMENT_ADMIN, department="court"),
    ]
    assert not any(user.is_superuser for user in users)
    assert [user.is_staff for user in users] == [False, False, False, True]


def test_a_department_administrator_needs_a_department():
    with pytest.raises(ValueError):
        _user("d", Role.DEPARTMENT_ADMIN)
