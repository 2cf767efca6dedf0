"""Status reads are cheap: a fixed number of queries, ETags with 304, and a long poll."""

import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application
from tests.conftest import CLEAN_PERSON, application_document, settle, trusted_channel
from workflow.services import check_run

# Not committed, so the session's real workers (when other tests started them) never see these
# applications change under the test; the long-poll test commits on purpose.
pytestmark = pytest.mark.django_db


def _submit(client, shareholders: int = 1) -> str:
    document = application_document()
    document["shareholders"] = [
        {"name": CLEAN_PERSON["name"], "id_number": CLEAN_PERSON["id_number"], "contribution": "1000.00"}
    ] * shareholders
    response = client.post("/api/v1/applications/", document, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def _queries_of_a_status_read(client, application_id: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1/applications/{application_id}/").status_code == 200
    return len(queries)


def test_a_status_read_costs_the_same_queries_whatever_the_number_of_persons(api_client_for, libraries):
    client = api_client_for("portal")
    small, large = _submit(client, shareholders=1), _submit(client, shareholders=30)

    assert _queries_of_a_status_read(client, small) == _queries_of_a_status_read(client, large)
    # The key, the ETag, the application with its presence stage, its checks, its departments
    # and who received its data.
    assert _queries_of_a_status_read(client, large) == 6


def test_with_people_to_verify_a_status_read_costs_one_query_more(api_client_for, libraries):
    client = api_client_for("portal", attests_presence=False)
    small, large = _submit(client, shareholders=1), _submit(client, shareholders=30)

    assert _queries_of_a_status_read(client, small) == _queries_of_a_status_read(client, large) == 7


def test_an_unchanged_application_answers_304_and_a_change_gives_a_new_etag(api_client_for, libraries, citizens):
    client = api_client_for("portal")
    application_id = _submit(client)
    first = client.get(f"/api/v1/applications/{application_id}/")
    etag = first.headers["ETag"]

    again = client.get(f"/api/v1/applications/{application_id}/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and not again.content

    check_run(check_id=Application.objects.get(pk=application_id).checks.first().id)
    changed = client.get(f"/api/v1/applications/{application_id}/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.json()["checks"][0]["status"] == "done"


def test_the_submit_answer_carries_the_etag_a_long_poll_can_start_from(api_client_for, libraries):
    client = api_client_for("portal")
    created = client.post("/api/v1/applications/", application_document(), content_type="application/json")
    assert created.status_code == 201

    again = client.get(f"/api/v1/applications/{created.json()['id']}/", HTTP_IF_NONE_MATCH=created.headers["ETag"])

    assert again.status_code == 304


@pytest.mark.django_db(transaction=True)
def test_a_long_poll_answers_when_the_application_changes(api_client_for, libraries, citizens):
    client = api_client_for("portal")
    application_id = _submit(client)
    etag = client.get(f"/api/v1/applications/{application_id}/").headers["ETag"]
    check_id = Application.objects.get(pk=application_id).checks.first().id

    def change_soon() -> None:
        time.sleep(0.3)
        check_run(check_id=check_id)
        connection.close()

    changer = threading.Thread(target=change_soon)
    changer.start()
    answer = client.get(f"/api/v1/applications/{application_id}/", {"wait": 20}, HTTP_IF_NONE_MATCH=etag)
    changer.join()

    assert answer.status_code == 200  # answered at the first change: the check was claimed
    assert answer.json()["checks"][0]["status"] in ("running", "done")
    settle(application_id)  # the session's workers may be running its other checks


@pytest.mark.parametrize("wait", ["0.2", "inf", "nan", "-1", "abc"])
def test_a_long_poll_with_nothing_new_ends_in_304_and_odd_waits_are_no_error(api_client_for, libraries, wait):
    client = api_client_for("portal")
    application_id = _submit(client)
    etag = client.get(f"/api/v1/applications/{application_id}/").headers["ETag"]

    answer = client.get(f"/api/v1/applications/{application_id}/", {"wait": wait}, HTTP_IF_NONE_MATCH=etag)

    assert answer.status_code == 304


def test_the_status_page_json_answers_304_while_nothing_changed(client, libraries):
    from accounts.models import Role
    from accounts.services import user_create_with_role
    from intake.api.serializers import ApplicationInputSerializer
    from intake.services import application_submit

    user = user_create_with_role(username="founder", password="a-long-password-1", role=Role.APPLICANT)
    serializer = ApplicationInputSerializer(data=application_document())
    serializer.is_valid(raise_exception=True)
    application = application_submit(
        document=serializer.validated_data, applicant=user, presence_attested_by=trusted_channel()
    ).application
    client.force_login(user)
    url = f"/applications/{application.id}/status.json"

    etag = client.get(url).headers["ETag"]

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
