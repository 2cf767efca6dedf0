"""The admin finds records by ID number without the number ever being in a URL, and the live
enterprise register is market regulation's alone."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Role
from accounts.services import user_create_with_role
from intake.api.serializers import ApplicationInputSerializer
from intake.services import application_submit
from rules.models import RegisteredEnterprise
from tests.browser.support import run_in_own_browser
from tests.conftest import CLEAN_PERSON, DISHONEST_PERSON, SECOND_PERSON, application_document, trusted_channel

PASSWORD = "a-long-test-password"


class RecordingClient(Client):
    """A test client that keeps the URL (path and query string) of every request it makes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.urls: list[str] = []

    def request(self, **request):
        self.urls.append(f"{request.get('PATH_INFO', '')}?{request.get('QUERY_STRING', '')}")
        return super().request(**request)


def _superuser_client() -> RecordingClient:
    get_user_model().objects.create_superuser(username="root", password=PASSWORD, email="root@example.com")
    client = RecordingClient()
    client.login(username="root", password=PASSWORD)
    return client


def _submitted(name: str, person: dict) -> object:
    serializer = ApplicationInputSerializer(data=application_document(name=name, person=person))
    serializer.is_valid(raise_exception=True)
    return application_submit(document=serializer.validated_data, presence_attested_by=trusted_channel()).application


def _find(client: RecordingClient, changelist: str, id_number: str) -> str:
    page = client.get(changelist)
    assert page.status_code == 200
    assert "find-by-id-number/" in page.content.decode()
    response = client.post(f"{changelist}find-by-id-number/", {"id_number": id_number}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_applications_and_persons_are_found_by_id_number_through_a_post(libraries):
    mine = _submitted("深圳市星河科技有限公司", CLEAN_PERSON)
    _submitted("深圳市远峰科技有限公司", SECOND_PERSON)
    client = _superuser_client()

    page = _find(client, "/admin/applications/application/", CLEAN_PERSON["id_number"])
    assert "1 条结果" in page and "星河" in page and "远峰" not in page
    assert f"/admin/applications/application/{mine.pk}/change/" in page
    assert CLEAN_PERSON["id_number"] not in page  # masked, not shown back

    # The legal representative and the shareholder of that application: the same person.
    page = _find(client, "/admin/applications/person/", CLEAN_PERSON["id_number"])
    assert "2 条结果" in page and CLEAN_PERSON["name"] in page

    assert not [url for url in client.urls if CLEAN_PERSON["id_number"].lower() in url.lower()]


@pytest.mark.django_db
def test_an_id_number_in_the_search_box_is_refused_and_not_searched(libraries):
    _submitted("深圳市星河科技有限公司", CLEAN_PERSON)
    client = _superuser_client()
    response = client.get("/admin/applications/application/", {"q": CLEAN_PERSON["id_number"]})
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert "find by ID number" in page
    # An ordinary search still works.
    assert "星河" in client.get("/admin/applications/application/", {"q": "星河"}).content.decode()


@pytest.mark.django_db
def test_the_dishonest_list_is_searched_by_id_number_through_a_post(libraries):
    user_create_with_role(username="court", password=PASSWORD, role=Role.DEPARTMENT_ADMIN, department="court")
    client = RecordingClient()
    client.login(username="court", password=PASSWORD)
    page = _find(client, "/admin/rules/listentry/", DISHONEST_PERSON["id_number"])
    assert "1 条结果" in page
    assert not [url for url in client.urls if DISHONEST_PERSON["id_number"].lower() in url.lower()]


@pytest.mark.django_db
def test_the_citizen_registry_is_searched_by_id_number_through_a_post(citizens):
    client = _superuser_client()
    page = _find(client, "/admin/departments/citizen/", SECOND_PERSON["id_number"])
    assert "1 条结果" in page
    assert SECOND_PERSON["id_number"][:6] + "********" + SECOND_PERSON["id_number"][-4:] in page
    assert client.get("/admin/departments/citizen/", {"q": SECOND_PERSON["id_number"]}).context["cl"].result_count == 0
    # Only the refused search above carried it; the lookup itself did not.
    assert len([url for url in client.urls if SECOND_PERSON["id_number"] in url]) == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_no_request_carries_the_id_number(live_server, libraries):
    _submitted("深圳市星河科技有限公司", CLEAN_PERSON)
    get_user_model().objects.create_superuser(username="root", password=PASSWORD, email="root@example.com")

    def steps(page) -> None:
        urls: list[str] = []
        page.on("request", lambda request: urls.append(request.url))
        page.goto(f"{live_server.url}/admin/login/?next=/admin/applications/application/")
        page.fill("#id_username", "root")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/applications/application/")
        page.click("#find-by-id-number")
        page.fill("#id_id_number", CLEAN_PERSON["id_number"])
        page.click("#id-number-lookup input[type=submit]")
        page.wait_for_selector("#lookup-results")
        assert "星河" in page.inner_text("#content-main")
        page.click("#content-main li a")
        page.wait_for_url("**/change/")
        assert urls and not [url for url in urls if CLEAN_PERSON["id_number"] in url]

    run_in_own_browser(steps)


# --- the live enterprise register --------------------------------------------------------------


@pytest.fixture
def register_row(db):
    return RegisteredEnterprise.objects.create(
        name="深圳市腾云科技有限公司", credit_code="91440300MA5G00001W", address="深圳市南山区"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("department", ["court", "natural_resources"])
def test_other_department_administrators_cannot_list_the_live_register(register_row, department):
    user_create_with_role(username="other", password=PASSWORD, role=Role.DEPARTMENT_ADMIN, department=department)
    client = Client()
    client.login(username="other", password=PASSWORD)
    assert client.get("/admin/rules/registeredenterprise/").status_code == 403
    assert client.get(f"/admin/rules/registeredenterprise/{register_row.pk}/change/").status_code == 403
    assert "registeredenterprise" not in client.get("/admin/").content.decode()
    # Nor market regulation's own records in the simulator.
    assert client.get("/admin/departments/marketenterprise/").status_code == 403


@pytest.mark.django_db
def test_market_regulation_administrators_and_superusers_see_the_live_register(register_row):
    user_create_with_role(username="mr", password=PASSWORD, role=Role.DEPARTMENT_ADMIN, department="market_regulation")
    client = Client()
    client.login(username="mr", password=PASSWORD)
    response = client.get("/admin/rules/registeredenterprise/")
    assert response.status_code == 200
    assert "腾云" in response.content.decode()
    assert "腾云" in _superuser_client().get("/admin/rules/registeredenterprise/").content.decode()
