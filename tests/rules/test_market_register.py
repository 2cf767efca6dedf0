"""The market-regulation simulator's register: one name per authority, and the cancel endpoint."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from departments.models import MarketEnterprise
from tests.departments.conftest import DepartmentClient, auth, body_for

pytestmark = pytest.mark.django_db

NANSHAN = "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201"
FUTIAN = "深圳市福田区福田街道福华一路6号免税商务大厦"


@pytest.fixture(autouse=True)
def _no_latency(settings):
    settings.DEPARTMENT_LATENCY_MS = "0-0"
    settings.DEPARTMENT_FAILURE_RATE = 0.0


def register(client: DepartmentClient, key: str, *, address: str = NANSHAN, name: str = "深圳市云帆科技有限公司"):
    body = body_for("market_regulation", application_id=key)
    body["company"] = {**body["company"], "address": address, "name": name}
    return client.submit("market_regulation", body, key=key)


def cancel(client: DepartmentClient, credit_code: str, body: dict | None = None, **headers: str):
    return client.client.post(
        f"/departments/market_regulation/enterprises/{credit_code}/cancel/",
        data=json.dumps(body or {}),
        content_type="application/json",
        **(headers or auth("market_regulation")),
    )


def test_the_same_name_is_refused_at_the_same_authority_and_allowed_at_another() -> None:
    client = DepartmentClient()
    first = register(client, "a")
    assert first.status_code == 201
    assert register(client, "b").status_code == 422
    other = register(client, "c", address=FUTIAN)
    assert other.status_code == 201, other.json()
    assert {e.region_code for e in MarketEnterprise.objects.all()} == {"440305", "440304"}


def test_cancel_holds_the_name_for_a_year_then_frees_it() -> None:
    client = DepartmentClient()
    credit_code = register(client, "a").json()["result"]["credit_code"]

    response = cancel(client, credit_code)
    assert response.status_code == 200
    answer = response.json()
    assert (answer["credit_code"], answer["status"], answer["authority"]) == (credit_code, "cancelled", "440305")
    assert register(client, "b").status_code == 422  # cancelled less than a year ago

    # A second cancellation keeps the first date.
    assert cancel(client, credit_code, {"cancelled_on": "2020-01-01"}).json()["cancelled_at"] == answer["cancelled_at"]

    MarketEnterprise.objects.filter(credit_code=credit_code).update(
        cancelled_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert register(client, "c").status_code == 201


def test_a_cancellation_may_be_dated_for_the_demo() -> None:
    client = DepartmentClient()
    credit_code = register(client, "a").json()["result"]["credit_code"]
    long_ago = (timezone.localdate() - datetime.timedelta(days=500)).isoformat()
    assert cancel(client, credit_code, {"cancelled_on": long_ago}).json()["cancelled_at"].startswith(long_ago)
    assert register(client, "b").status_code == 201


def test_cancel_refuses_bad_input_unknown_codes_and_strangers() -> None:
    client = DepartmentClient()
    credit_code = register(client, "a").json()["result"]["credit_code"]
    assert cancel(client, credit_code, {"cancelled_on": "soon"}).status_code == 400
    tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    assert cancel(client, credit_code, {"cancelled_on": tomorrow}).status_code == 400
    assert cancel(client, "91440300MA5G00001W").status_code == 404
    assert cancel(client, credit_code, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    # Only market regulation keeps the register.
    response = client.client.post(
        f"/departments/tax/enterprises/{credit_code}/cancel/", data="{}", content_type="application/json", **auth("tax")
    )
    assert response.status_code == 404
    assert MarketEnterprise.objects.get(credit_code=credit_code).status == "active"
