"""CONTRACT §5: token auth, idempotency, isolation between integrators, 400 on bad input."""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from applications.models import Application, Check, Person, WorkItem
from audit.models import AuditEvent
from tests.conftest import CLEAN_PERSON, SECOND_PERSON, application_document
from workflow.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Application, Person, Check, WorkItem, OutboxMessage, AuditEvent))


def test_create_api_client_prints_a_working_key_as_the_last_line():
    out = io.StringIO()
    call_command("create_api_client", "bank-portal", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/applications/").status_code == 200


def test_requests_without_a_valid_token_are_refused():
    assert APIClient().get("/api/v1/applications/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    assert client.get("/api/v1/applications/").status_code == 401


def test_a_deactivated_clients_key_is_refused_at_once():
    from accounts.models import ApiClient
    from accounts.services import api_client_create

    _, key = api_client_create(name="retired-portal")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/applications/").status_code == 200
    ApiClient.objects.filter(name="retired-portal").update(is_active=False)
    assert client.get("/api/v1/applications/").status_code == 401


def test_submit_stores_the_application_with_its_persons_and_one_work_item_per_department(api_client_for):
    client = api_client_for("agency")
    document = application_document()
    document["handler"] = {k: SECOND_PERSON[k] for k in ("name", "id_number", "phone")}
    document["departments"] = ["tax", "bank"]

    response = client.post("/api/v1/applications/", document, format="json")

    assert response.status_code == 201
    body = response.json()
    application = Application.objects.get(pk=body["id"])
    assert application.status == "checking"  # the submit transaction starts the checks
    assert sorted(application.persons.values_list("role", flat=True)) == [
        "handler",
        "legal_representative",
        "shareholder",
    ]
    # market_regulation is always included: it issues the credit code.
    assert [d["department"] for d in body["departments"]] == ["market_regulation", "tax", "bank"]
    assert [c["library"] for c in body["checks"]] == ["names", "addresses", "identity", "dishonest"]
    # One task runs the four libraries.
    assert list(OutboxMessage.objects.filter(task="workflow.run_checks").values_list("kwargs", flat=True)) == [
        {"application_id": str(application.id)}
    ]
    assert AuditEvent.objects.filter(application_id=application.id, action="application.submitted").exists()


def test_a_repeated_idempotency_key_returns_the_same_application_and_creates_nothing(api_client_for):
    client = api_client_for("agency")
    first = client.post("/api/v1/applications/", application_document(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    before = _counts()

    again = client.post("/api/v1/applications/", application_document(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert _counts() == before


def test_the_same_key_with_a_different_body_is_refused(api_client_for):
    client = api_client_for("agency")
    client.post("/api/v1/applications/", application_document(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    before = _counts()

    other = client.post(
        "/api/v1/applications/",
        application_document(name="深圳市别的科技有限公司"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )

    assert other.status_code == 422
    assert _counts() == before


def test_idempotency_keys_belong_to_one_client(api_client_for):
    first = api_client_for("agency").post(
        "/api/v1/applications/", application_document(), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    second = api_client_for("bank").post(
        "/api/v1/applications/", application_document(), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


def test_another_clients_application_is_a_404_and_absent_from_its_list(api_client_for):
    owner, stranger = api_client_for("agency"), api_client_for("bank")
    created = owner.post("/api/v1/applications/", application_document(), format="json").json()

    assert stranger.get(f"/api/v1/applications/{created['id']}/").status_code == 404
    assert stranger.get("/api/v1/applications/").json() == []
    assert owner.get(f"/api/v1/applications/{created['id']}/").status_code == 200


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["company"].pop("name"), "company"),
        (lambda d: d["company"].update(registered_capital="-5"), "company"),
        (lambda d: d["legal_representative"].update(id_number="12345"), "legal_representative"),
        (lambda d: d["legal_representative"].update(phone="020-1234"), "legal_representative"),
        (lambda d: d.update(shareholders=[]), "shareholders"),
        (lambda d: d.update(departments=["tax", "post_office"]), "departments"),
        (lambda d: d.update(departments=["tax", "tax"]), "departments"),
    ],
)
def test_a_broken_body_is_a_400_with_field_errors_and_stores_nothing(api_client_for, mutate, field):
    client = api_client_for("agency")
    document = application_document()
    mutate(document)
    before = _counts()

    response = client.post("/api/v1/applications/", document, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert _counts() == before


def test_a_body_that_is_not_json_is_a_400(api_client_for):
    response = api_client_for("agency").post("/api/v1/applications/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert Application.objects.count() == 0


def test_lowercase_x_in_an_id_number_is_accepted_and_stored_uppercase(api_client_for):
    document = application_document(person={**CLEAN_PERSON, "id_number": CLEAN_PERSON["id_number"][:17] + "x"})
    response = api_client_for("agency").post("/api/v1/applications/", document, format="json")
    assert response.status_code == 201
    assert any(person.id_number.endswith("X") for person in Person.objects.all())


def test_openapi_schema_and_offline_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/applications/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"//cdn" not in docs.content
