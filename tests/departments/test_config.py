"""The run-time switches of a simulator."""

import json

import pytest

from departments.models import DepartmentConfig
from tests.departments.conftest import SignedClient, auth

pytestmark = pytest.mark.django_db


def put(code: str, body) -> object:
    return SignedClient().put(
        f"/departments/{code}/config/", data=json.dumps(body), content_type="application/json", **auth(code)
    )


def test_defaults_come_from_settings(settings):
    settings.DEPARTMENT_LATENCY_MS = "20-150"
    settings.DEPARTMENT_FAILURE_RATE = 0.05
    response = SignedClient().get("/departments/bank/config/", **auth("bank"))
    assert response.status_code == 200
    assert response.json() == {"latency_ms_min": 20, "latency_ms_max": 150, "failure_rate": 0.05}


def test_single_number_latency_setting(settings):
    settings.DEPARTMENT_LATENCY_MS = "75"
    assert SignedClient().get("/departments/tax/config/", **auth("tax")).json()["latency_ms_min"] == 75


def test_put_stores_in_the_database_and_get_reads_it():
    response = put("tax", {"latency_ms_min": 5, "latency_ms_max": 10, "failure_rate": 0.25})
    assert response.status_code == 200
    assert response.json() == {"latency_ms_min": 5, "latency_ms_max": 10, "failure_rate": 0.25}
    row = DepartmentConfig.objects.get(department="tax")
    assert (row.latency_ms_min, row.latency_ms_max, row.failure_rate) == (5, 10, 0.25)
    # Another department is untouched.
    assert SignedClient().get("/departments/bank/config/", **auth("bank")).json()["failure_rate"] == 0.0


def test_a_change_made_elsewhere_applies_at_once():
    SignedClient().get("/departments/tax/config/", **auth("tax"))
    # As if another process changed it: no cache stands in the way.
    DepartmentConfig.objects.filter(department="tax").update(failure_rate=0.5)
    assert SignedClient().get("/departments/tax/config/", **auth("tax")).json()["failure_rate"] == 0.5


def test_partial_put_keeps_the_rest():
    put("tax", {"latency_ms_min": 1, "latency_ms_max": 2, "failure_rate": 0.1})
    assert put("tax", {"failure_rate": 0}).json() == {"latency_ms_min": 1, "latency_ms_max": 2, "failure_rate": 0.0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"failure_rate": 1.5}, "failure_rate"),
        ({"failure_rate": -0.1}, "failure_rate"),
        ({"failure_rate": "0.5"}, "failure_rate"),
        ({"failure_rate": True}, "failure_rate"),
        ({"latency_ms_min": -1}, "latency_ms_min"),
        ({"latency_ms_max": 2.5}, "latency_ms_max"),
        ({"latency_ms_max": 10**9}, "latency_ms_max"),
        ({"latency_ms_min": 100, "latency_ms_max": 10}, "latency_ms_min"),
        ({"latency": 3}, "latency"),
    ],
)
def test_bad_values_are_400_and_change_nothing(body, field):
    before = SignedClient().get("/departments/tax/config/", **auth("tax")).json()
    response = put("tax", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert SignedClient().get("/departments/tax/config/", **auth("tax")).json() == before


def test_non_object_body_is_400():
    assert put("tax", [1, 2]).status_code == 400
