"""Hostile input to the API and the form gets a clear 4xx, never a 500, and stores nothing; the API
is rate-limited per integrator."""

import copy

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client

from accounts.models import ApiClient, ApplicantProfile, Role
from accounts.services import user_create_with_role
from accounts.throttling import throttle_counts_forget
from applications.models import Application
from tests.conftest import CLEAN_PERSON, SECOND_PERSON, _valid_id, application_document

pytestmark = pytest.mark.django_db
URL = "/api/v1/applications/"
PASSWORD = "a-long-test-password"


def _raw_post(client, body: bytes, **extra):
    return client.generic("POST", URL, body, content_type="application/json", **extra)


# --- the parser ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,  # RecursionError in json
        b"{" + b'"a":{' * 100_000,
        (b'{"company": ' + b"[" * 40 + b"]" * 40 + b"}"),  # valid JSON, 41 levels deep
        b"\xff\xfe not utf-8",
        b'{"company": NaN}',
        b"{not json",
    ],
    ids=["nested-arrays", "nested-objects", "deep-but-valid", "not-utf8", "nan", "broken"],
)
def test_malformed_json_is_a_400_with_a_message(api_client_for, body):
    response = _raw_post(api_client_for("agency"), body)
    assert response.status_code == 400
    assert response.json()["message"]
    assert Application.objects.count() == 0


def test_a_body_over_the_limit_is_a_413_judged_from_its_declared_length(api_client_for):
    client = api_client_for("agency")
    response = client.generic(
        "POST", URL, b"{}", content_type="application/json", CONTENT_LENGTH=str(django_settings.API_MAX_BODY_BYTES + 1)
    )
    assert response.status_code == 413
    big = b'{"company": {"name": "' + b"x" * django_settings.API_MAX_BODY_BYTES + b'"}}'
    assert _raw_post(client, big).status_code == 413
    assert Application.objects.count() == 0


# --- shareholders ----------------------------------------------------------------------------------


def _shareholders(count: int) -> list[dict]:
    return [
        {"name": f"股东{n}", "id_number": _valid_id(f"110105198503{n:05d}"), "contribution": "1000.00"}
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [51, 10_000])
def test_too_many_shareholders_is_a_field_error(api_client_for, count):
    document = application_document()
    document["shareholders"] = _shareholders(count)
    response = api_client_for("agency").post(URL, document, format="json")
    assert response.status_code == 400
    assert "at most 50 shareholders" in response.json()["errors"]["shareholders"][0]
    assert Application.objects.count() == 0


def test_fifty_shareholders_are_accepted(api_client_for):
    from intake.api.serializers import ApplicationInputSerializer

    document = application_document()
    document["shareholders"] = _shareholders(50)
    serializer = ApplicationInputSerializer(data=document)
    assert serializer.is_valid(), serializer.errors


def test_the_cap_is_a_setting(settings):
    from intake.api.serializers import ApplicationInputSerializer

    settings.APPLICATION_MAX_SHAREHOLDERS = 2
    document = application_document()
    document["shareholders"] = _shareholders(3)
    serializer = ApplicationInputSerializer(data=document)
    assert not serializer.is_valid()
    assert "at most 2 shareholders" in serializer.errors["shareholders"][0]


# --- the web form ----------------------------------------------------------------------------------


def _form_post(document: dict, *, shareholder_count: str) -> dict[str, str]:
    data = {f"company.{k}": str(v) for k, v in document["company"].items()}
    data.update({f"legal_representative.{k}": v for k, v in document["legal_representative"].items()})
    for index, row in enumerate(document["shareholders"]):
        data.update({f"shareholders.{index}.{k}": v for k, v in row.items()})
    data["shareholder_count"] = shareholder_count
    return data


@pytest.fixture
def applicant_client(client):
    user = user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT)
    ApplicantProfile.objects.create(user=user, **CLEAN_PERSON)
    client.login(username="founder", password=PASSWORD)
    return client


@pytest.mark.parametrize("count", ["abc", "-1", "1e9", "99999999999999999999", ""])
def test_a_tampered_shareholder_count_does_not_break_the_form(applicant_client, count):
    document = application_document()
    document["shareholders"].append({"name": SECOND_PERSON["name"], "id_number": SECOND_PERSON["id_number"]})
    document["shareholders"][0]["contribution"] = "600000.00"
    document["shareholders"][1]["contribution"] = "400000.00"
    response = applicant_client.post("/apply/", _form_post(document, shareholder_count=count))
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.persons.filter(role="shareholder").count() == 2


def test_too_many_shareholders_on_the_form_is_a_400_with_the_message(applicant_client):
    document = copy.deepcopy(application_document())
    document["shareholders"] = _shareholders(51)
    response = applicant_client.post("/apply/", _form_post(document, shareholder_count="abc"))
    assert response.status_code == 400
    assert "股东最多 50 名" in response.content.decode()
    assert Application.objects.count() == 0


# --- throttling --------------------------------------------------------------------------------------


def test_the_throttle_counts_in_a_cache_every_process_shares():
    assert not isinstance(caches["default"], LocMemCache)
    backend = django_settings.CACHES["default"]["BACKEND"]
    assert backend.endswith(("FileBasedCache", "RedisCache"))


def _forget_counts() -> None:
    # The counts live in the shared cache and outlive a test's database rows, whose ids a later
    # test reuses: start from none, and leave none behind.
    for pk in ApiClient.objects.values_list("pk", flat=True):
        throttle_counts_forget(scope="api_client", ident=pk)
    throttle_counts_forget(scope="api_anonymous", ident="127.0.0.1")


@pytest.fixture
def tiny_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_client": "3/hour", "api_anonymous": "2/hour"},
    }
    yield _forget_counts
    _forget_counts()


def test_an_integrator_over_its_rate_gets_429_and_others_do_not(api_client_for, tiny_rates):
    greedy, polite = api_client_for("greedy"), api_client_for("polite")
    tiny_rates()
    assert [greedy.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    refused = greedy.get(URL)
    assert refused.status_code == 429
    assert refused.json()["message"]
    assert int(refused["Retry-After"]) > 0
    assert polite.get(URL).status_code == 200


def test_anonymous_callers_are_limited_by_address(tiny_rates):
    tiny_rates()
    client = Client(REMOTE_ADDR="127.0.0.1")
    assert [client.get("/api/schema/").status_code for _ in range(2)] == [200, 200]
    assert client.get("/api/schema/").status_code == 429
