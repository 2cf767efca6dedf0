"""Each department receives only its allowlisted fields, as its own records show."""

import pytest

from departments.models import HousingFundRequest, MarketRegulationRequest, TaxRequest
from exchange.models import ExchangeRecord
from exchange.policy import DEFAULT_SHARING_POLICY, payload_filter, sharing_policy_seed_defaults
from exchange.services import department_submit, exchange_record
from tests.conftest import SECOND_PERSON

DOCUMENT = {
    "application_id": "6f1c7d3e-4a1b-4d55-9a61-2f1f4b1e9a01",
    "credit_code": "91440300MA5G00001W",
    "company": {
        "name": "深圳市云帆科技有限公司",
        "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
        "business_scope": "软件开发",
        "registered_capital": "1000000.00",
        "employees": 5,
    },
    "legal_representative": {"name": "张伟", "id_number": SECOND_PERSON["id_number"], "phone": "13800138000"},
    "handler": {"name": "李娜", "id_number": SECOND_PERSON["id_number"], "phone": "13900139000"},
    "shareholders": [{"name": "张伟", "id_number": SECOND_PERSON["id_number"], "contribution": "1000000.00"}],
}


def test_the_filter_copies_only_allowed_paths_including_list_items():
    payload = payload_filter(document=DOCUMENT, paths=["company.name", "shareholders[].name", "missing.field"])
    assert payload == {"company": {"name": "深圳市云帆科技有限公司"}, "shareholders": [{"name": "张伟"}]}


@pytest.mark.django_db
def test_the_policy_is_deny_by_default_and_edits_take_effect():
    from exchange.models import SharingPolicy
    from exchange.policy import allowed_fields

    assert allowed_fields(department="unknown") == ()
    sharing_policy_seed_defaults()
    SharingPolicy.objects.filter(department="housing_fund").update(fields=["application_id", "company.name"])
    assert allowed_fields(department="housing_fund") == ("application_id", "company.name")
    SharingPolicy.objects.filter(department="housing_fund").delete()
    assert allowed_fields(department="housing_fund") == ()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("department", "model"),
    [("market_regulation", MarketRegulationRequest), ("tax", TaxRequest), ("housing_fund", HousingFundRequest)],
)
def test_the_department_records_only_its_allowlisted_fields(department, model):
    sharing_policy_seed_defaults()
    answer = department_submit(department=department, document=DOCUMENT, idempotency_key=f"k-{department}")
    # The pipeline logs the exchange in the transaction that records the answer.
    exchange_record(answer.exchange)

    assert answer.outcome == "done"
    received = model.objects.get(idempotency_key=f"k-{department}").request_body
    assert received == payload_filter(document=DOCUMENT, paths=DEFAULT_SHARING_POLICY[department])
    assert "handler" not in received
    if department == "housing_fund":
        assert "legal_representative" not in received
        assert set(received["company"]) == {"name", "employees"}
    record = ExchangeRecord.objects.get(department=department)
    assert record.outcome == "ok"
    assert "handler.id_number" not in record.fields
    # The log names the fields it sent, never their values.
    assert SECOND_PERSON["id_number"] not in str(record.fields)


@pytest.mark.django_db
def test_a_repeated_call_with_the_same_key_is_answered_from_the_department_record():
    sharing_policy_seed_defaults()
    first = department_submit(department="market_regulation", document=DOCUMENT, idempotency_key="same")
    again = department_submit(department="market_regulation", document=DOCUMENT, idempotency_key="same")

    assert (again.outcome, again.result) == (first.outcome, first.result)
    assert MarketRegulationRequest.objects.count() == 1
