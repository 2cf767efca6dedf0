"""Work items: exactly-once processing, validation, refusals, failure injection."""

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.cn import uscc

from departments import models
from tests.departments.conftest import BODIES, CREDIT_CODE, ID_WITH_X, body_for

pytestmark = pytest.mark.django_db

REQUEST_MODELS = {
    "market_regulation": models.MarketRegulationRequest,
    "tax": models.TaxRequest,
    "public_security": models.PublicSecurityRequest,
    "social_security": models.SocialSecurityRequest,
    "housing_fund": models.HousingFundRequest,
    "bank": models.BankRequest,
}
REGISTERS = {
    "market_regulation": models.MarketEnterprise,
    "tax": models.TaxRegistration,
    "public_security": models.SealOrder,
    "social_security": models.SocialSecurityAccount,
    "housing_fund": models.HousingFundAccount,
    "bank": models.BankAppointment,
}


@pytest.mark.parametrize("code", list(BODIES))
def test_replay_returns_the_original_answer_and_creates_nothing(departments, code):
    first = departments.submit(code, body_for(code), key="app-1:" + code)
    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "done"
    assert "Idempotent-Replayed" not in first

    again = departments.submit(code, body_for(code), key="app-1:" + code)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert REQUEST_MODELS[code].objects.count() == 1
    assert REGISTERS[code].objects.count() == 1


@pytest.mark.parametrize("code", list(BODIES))
def test_received_body_is_stored_with_the_answer(departments, code):
    body = body_for(code)
    response = departments.submit(code, body, key="k-stored")
    stored = REQUEST_MODELS[code].objects.get(idempotency_key="k-stored")
    assert stored.request_body == body
    assert stored.status_code == 201
    assert stored.response_body == response.json()


def test_same_key_with_another_body_is_409(departments):
    assert departments.submit("housing_fund", body_for("housing_fund"), key="k").status_code == 201
    other = body_for("housing_fund", company={"name": "深圳市别的科技有限公司", "employees": 9})
    response = departments.submit("housing_fund", other, key="k")
    assert response.status_code == 409
    assert models.HousingFundAccount.objects.count() == 1


def test_keys_are_per_department(departments):
    assert departments.submit("housing_fund", body_for("housing_fund"), key="shared").status_code == 201
    response = departments.submit("social_security", body_for("social_security"), key="shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_field_errors_are_400_and_nothing_is_stored(departments):
    body = body_for("market_regulation")
    del body["company"]["name"]
    body["company"]["registered_capital"] = "-5"
    body["legal_representative"]["id_number"] = "440305199003071237"  # wrong check digit
    body["shareholders"] = [{"name": "李娜", "id_number": "123", "contribution": "1"}]
    response = departments.submit("market_regulation", body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {
        "company.name",
        "company.registered_capital",
        "legal_representative.id_number",
        "shareholders.0.id_number",
    }
    # No personal data echoed back in the messages.
    assert "440305199003071237" not in response.content.decode()
    assert models.MarketRegulationRequest.objects.count() == 0
    assert models.MarketEnterprise.objects.count() == 0


@pytest.mark.parametrize(
    ("code", "change", "field"),
    [
        ("tax", {"credit_code": "91440300123456789X"}, "credit_code"),
        (
            "tax",
            {"legal_representative": {"name": "张伟", "id_number": ID_WITH_X, "phone": "2345"}},
            "legal_representative.phone",
        ),
        ("bank", {"company": {"name": "x"}}, "company.address"),
        ("housing_fund", {"company": {"name": "x", "employees": -1}}, "company.employees"),
        ("social_security", {"application_id": None}, "application_id"),
        ("market_regulation", {"shareholders": []}, "shareholders"),
    ],
)
def test_each_department_validates_what_it_needs(departments, code, change, field):
    response = departments.submit(code, body_for(code, **change))
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert REQUEST_MODELS[code].objects.count() == 0


def test_body_must_be_an_object(departments):
    response = departments.submit("tax", ["not", "an", "object"])
    assert response.status_code == 400


def test_market_regulation_issues_valid_distinct_credit_codes(departments):
    first = departments.submit("market_regulation", body_for("market_regulation"), key="a").json()["result"]
    second_body = body_for("market_regulation")
    second_body["company"] = dict(
        second_body["company"], name="深圳市海岸线贸易有限公司", address="深圳市福田区福华一路1号"
    )
    second = departments.submit("market_regulation", second_body, key="b").json()["result"]

    assert uscc.is_valid(first["credit_code"]) and uscc.is_valid(second["credit_code"])
    assert first["credit_code"] != second["credit_code"]
    # Registering authority 9, enterprise 1, then the district's division code.
    assert first["credit_code"].startswith("91440305")
    assert second["credit_code"].startswith("91440304")
    assert first["company_name"] == "深圳市云帆科技有限公司"
    assert len(first["license_number"]) == 15 and first["license_number"] != second["license_number"]
    assert first["registered_at"].endswith("+08:00")
    enterprise = models.MarketEnterprise.objects.get(credit_code=first["credit_code"])
    assert enterprise.shareholders.count() == 2


def test_duplicate_company_name_is_refused_and_the_refusal_is_final(departments):
    assert departments.submit("market_regulation", body_for("market_regulation"), key="first").status_code == 201
    refused = departments.submit(
        "market_regulation", body_for("market_regulation", application_id="app-2"), key="second"
    )
    assert refused.status_code == 422
    assert refused.json()["status"] == "refused"
    assert refused.json()["reason"] and refused.json()["reason_en"]
    assert models.MarketEnterprise.objects.count() == 1

    replay = departments.submit(
        "market_regulation", body_for("market_regulation", application_id="app-2"), key="second"
    )
    assert replay.status_code == 422
    assert replay.json() == refused.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert models.MarketRegulationRequest.objects.filter(status_code=422).count() == 1


@pytest.mark.parametrize("code", ["tax", "public_security", "social_security", "housing_fund", "bank"])
def test_second_registration_of_a_company_is_refused(departments, code):
    assert departments.submit(code, body_for(code), key="one").status_code == 201
    response = departments.submit(code, body_for(code, application_id="app-9"), key="two")
    assert response.status_code == 422
    assert REGISTERS[code].objects.count() == 1


def test_tax_result(departments):
    result = departments.submit("tax", body_for("tax")).json()["result"]
    assert result["taxpayer_id"] == CREDIT_CODE
    assert result["tax_authority"] == "国家税务总局深圳市南山区税务局"
    assert result["taxpayer_type"] == "小规模纳税人"
    assert result["invoice_quota"] == {
        "invoice_type": "增值税普通发票（电子）",
        "monthly_count": 50,
        "max_amount": "100000.00",
    }
    assert result["registered_at"].endswith("+08:00")


def test_tax_quota_scales_with_capital(departments):
    small = body_for("tax")
    small["company"] = dict(small["company"], registered_capital="100000.00", address="深圳市宝安区新安街道1号")
    result = departments.submit("tax", small).json()["result"]
    assert result["invoice_quota"]["monthly_count"] == 25
    assert result["invoice_quota"]["max_amount"] == "10000.00"
    assert result["tax_authority"] == "国家税务总局深圳市宝安区税务局"


def test_seal_order_result(departments):
    result = departments.submit("public_security", body_for("public_security")).json()["result"]
    assert result["seals"] == ["公章", "财务专用章", "发票专用章", "法定代表人名章"]
    assert result["seal_order_number"].startswith("GA")
    assert result["maker"].startswith("深圳市")
    assert result["ready_at"].endswith("+08:00")


def test_seal_order_refused_for_revoked_identity(departments):
    models.Citizen.objects.create(
        id_number=BODIES["public_security"]["legal_representative"]["id_number"],
        name="张伟",
        phone="13800138000",
        status="revoked",
    )
    response = departments.submit("public_security", body_for("public_security"))
    assert response.status_code == 422
    assert models.SealOrder.objects.count() == 0


def test_social_security_result(departments):
    result = departments.submit("social_security", body_for("social_security")).json()["result"]
    assert result["office"] == "深圳市社会保险基金管理局南山分局"
    assert result["account_number"].startswith("440305")
    assert result["registered_at"].endswith("+08:00")


def test_housing_fund_result(departments):
    result = departments.submit("housing_fund", body_for("housing_fund")).json()["result"]
    assert result["center"] == "深圳市住房公积金管理中心"
    assert len(result["account_number"]) == 12 and result["account_number"].isdigit()


def test_bank_appointment_is_a_working_day_slot(departments):
    result = departments.submit("bank", body_for("bank")).json()["result"]
    assert result["branch"].startswith(result["bank"]) and "南山" in result["branch"]
    moment = datetime.datetime.fromisoformat(result["appointment_at"])
    assert moment.utcoffset() == datetime.timedelta(hours=8)
    assert moment.weekday() < 5
    assert datetime.time(9) <= moment.time() <= datetime.time(16, 30)
    assert moment.date() > datetime.datetime.now(datetime.UTC).astimezone(moment.tzinfo).date()
    assert result["appointment_number"].startswith("YY")


def test_bank_slots_fill_up_counter_by_counter(departments):
    # Companies at the same bank and district share the branch's counters.
    times = []
    for index in range(40):
        head = f"91440305MA5F{index:04d}L"
        code = head + uscc.calc_check_digit(head)
        body = body_for("bank", credit_code=code)
        body["company"] = {"name": "深圳市某某有限公司", "address": "深圳市南山区"}
        response = departments.submit("bank", body, key=f"bank-{index}")
        assert response.status_code == 201, response.json()
        times.append((response.json()["result"]["branch"], response.json()["result"]["appointment_at"]))
    per_slot: dict = {}
    for slot in times:
        per_slot[slot] = per_slot.get(slot, 0) + 1
    assert max(per_slot.values()) == 3


def test_failure_rate_one_is_an_outage_and_stores_nothing(departments):
    assert departments.configure("tax", failure_rate=1).status_code == 200
    response = departments.submit("tax", body_for("tax"))
    assert response.status_code == 503
    assert response.json() == {"error": "simulated outage"}
    assert models.TaxRequest.objects.count() == 0
    assert models.TaxRegistration.objects.count() == 0

    # The outage ends: the retry with the same key is processed normally, once.
    assert departments.configure("tax", failure_rate=0).status_code == 200
    response = departments.submit("tax", body_for("tax"))
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert models.TaxRegistration.objects.count() == 1


def test_failure_injection_is_per_department(departments):
    departments.configure("bank", failure_rate=1)
    assert departments.submit("bank", body_for("bank")).status_code == 503
    assert departments.submit("housing_fund", body_for("housing_fund")).status_code == 201


def test_latency_is_applied(departments, monkeypatch):
    slept = []
    monkeypatch.setattr("departments.services.time.sleep", slept.append)
    departments.configure("tax", latency_ms_min=40, latency_ms_max=60)
    departments.submit("tax", body_for("tax"))
    assert len(slept) == 1 and 0.04 <= slept[0] <= 0.06


def test_a_first_request_reads_no_stored_answer_and_a_repeat_is_caught_by_the_key(departments):
    """No lookup before the work: the unique key refuses the repeat's record, its work is rolled
    back, and only then is the stored answer read."""
    table = models.HousingFundRequest._meta.db_table

    def answer_reads(queries) -> int:
        return sum(1 for query in queries if query["sql"].startswith("SELECT") and table in query["sql"])

    with CaptureQueriesContext(connection) as first_queries:
        first = departments.submit("housing_fund", body_for("housing_fund"), key="race")
    with CaptureQueriesContext(connection) as repeat_queries:
        again = departments.submit("housing_fund", body_for("housing_fund"), key="race")
    assert first.status_code == 201
    assert answer_reads(first_queries.captured_queries) == 0
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert answer_reads(repeat_queries.captured_queries) == 1
    assert models.HousingFundAccount.objects.count() == 1
    assert models.HousingFundRequest.objects.count() == 1


def test_a_reused_key_with_an_invalid_body_is_409_not_400(departments):
    assert departments.submit("housing_fund", body_for("housing_fund"), key="k").status_code == 201
    assert departments.submit("housing_fund", {"application_id": "x"}, key="k").status_code == 409
    assert departments.submit("housing_fund", ["not", "an", "object"], key="k").status_code == 409
    assert departments.submit("housing_fund", {"application_id": "x"}, key="fresh").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_record():
    from tests.departments.conftest import DepartmentClient

    answers = []

    def call() -> None:
        try:
            answers.append(DepartmentClient().submit("market_regulation", body_for("market_regulation"), key="same"))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {response.status_code for response in answers} == {201}
    assert len({response.content for response in answers}) == 1
    assert sum(response.has_header("Idempotent-Replayed") for response in answers) == 5
    assert models.MarketEnterprise.objects.count() == 1
    assert models.MarketRegulationRequest.objects.count() == 1


def test_the_stored_answer_to_a_key_can_be_fetched_without_the_body(departments):
    from tests.departments.conftest import auth

    answer = departments.submit("tax", body_for("tax"), key="app-9:tax")
    stored = departments.client.get("/departments/tax/requests/app-9:tax/", **auth("tax"))

    assert stored.status_code == 200
    body = stored.json()
    assert (body["idempotency_key"], body["status_code"], body["response"]) == ("app-9:tax", 201, answer.json())
    # The request itself carried ID and phone numbers; it never leaves the department again.
    assert "request_body" not in body
    assert body_for("tax")["legal_representative"]["id_number"] not in stored.content.decode()
    assert departments.client.get("/departments/tax/requests/unknown/", **auth("tax")).status_code == 404
    assert departments.client.get("/departments/tax/requests/app-9:tax/").status_code == 401
    assert departments.client.get("/departments/bank/requests/app-9:tax/", **auth("bank")).status_code == 404


def test_a_department_whose_database_is_restarting_answers_503_not_500(departments, monkeypatch):
    from django.db import OperationalError

    from departments import services

    def database_down(**_: object) -> None:
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(services, "request_process", database_down)

    answer = departments.submit("tax", body_for("tax"), key="app-1:tax")

    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
