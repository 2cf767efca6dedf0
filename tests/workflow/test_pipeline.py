"""The whole pipeline on real Celery worker processes, with departments over real HTTP."""

import pytest
from stdnum.cn import uscc

from applications.models import Application
from tests.conftest import DISHONEST_PERSON, SECOND_PERSON, api_submit, api_until_status, application_document

pytestmark = [pytest.mark.pipeline, pytest.mark.django_db(transaction=True)]


def test_clean_application_completes_with_a_credit_code_and_six_results(
    celery_workers, libraries, citizens, api_client_for
):
    client = api_client_for("agency")
    created = api_submit(client, application_document())
    # Workers may pick the checks up before the response is written.
    assert created["status"] in ("submitted", "checking")

    body = api_until_status(client, created["id"], "completed", "rejected", "manual_review")

    assert body["status"] == "completed", body
    assert body["outcome"] == "approve"
    assert uscc.is_valid(body["credit_code"] or ""), body
    assert [c["outcome"] for c in body["checks"]] == ["pass", "pass", "pass", "pass"]
    departments = {d["department"]: d for d in body["departments"]}
    assert set(departments) == {
        "market_regulation",
        "tax",
        "public_security",
        "social_security",
        "housing_fund",
        "bank",
    }
    assert all(d["status"] == "done" for d in departments.values())
    assert departments["market_regulation"]["result"]["credit_code"] == body["credit_code"]
    assert departments["tax"]["result"]["taxpayer_id"] == body["credit_code"]
    assert departments["bank"]["result"]["appointment_at"]


def test_the_same_name_is_rejected_once_registered(celery_workers, libraries, citizens, api_client_for):
    client = api_client_for("agency")
    first = api_submit(client, application_document(name="深圳市青禾科技有限公司"))
    assert api_until_status(client, first["id"], "completed", "rejected")["status"] == "completed"

    again = api_submit(client, application_document(name="深圳市 青禾科技有限公司", person=SECOND_PERSON))
    body = api_until_status(client, again["id"], "completed", "rejected")

    assert body["status"] == "rejected"
    names = next(c for c in body["checks"] if c["library"] == "names")
    assert names["outcome"] == "reject"
    assert any(f["outcome"] == "reject" for f in names["findings"])


def test_a_prohibited_word_is_rejected_with_a_finding_that_names_it(
    celery_workers, libraries, citizens, api_client_for
):
    client = api_client_for("agency")
    created = api_submit(client, application_document(name="深圳市赌 博娱乐有限公司"))

    body = api_until_status(client, created["id"], "rejected", "completed", "manual_review")

    assert body["status"] == "rejected"
    assert body["outcome"] == "reject"
    assert body["credit_code"] is None
    names = next(c for c in body["checks"] if c["library"] == "names")
    finding = next(f for f in names["findings"] if f["outcome"] == "reject")
    assert "赌博" in finding["message"] or finding["evidence"].get("matched") == "赌博"
    assert all(d["status"] == "pending" for d in body["departments"])


def test_a_dishonest_person_goes_to_manual_review_and_approval_completes_it(
    celery_workers, libraries, citizens, api_client_for
):
    from accounts.models import Role
    from accounts.services import user_create_with_role
    from review.services import case_claim, case_decide

    client = api_client_for("agency")
    created = api_submit(client, application_document(name="深圳市远峰贸易有限公司", person=DISHONEST_PERSON))

    body = api_until_status(client, created["id"], "manual_review", "rejected", "completed")
    assert body["status"] == "manual_review"
    dishonest = next(c for c in body["checks"] if c["library"] == "dishonest")
    assert dishonest["outcome"] == "review"

    reviewer = user_create_with_role(username="reviewer", password="a-long-test-password", role=Role.REVIEWER)
    case_claim(application_id=created["id"], reviewer=reviewer)
    case_decide(application_id=created["id"], reviewer=reviewer, decision="approve", reason="已核实，债务已履行")
    body = api_until_status(client, created["id"], "completed")

    assert body["outcome"] == "approve"
    assert uscc.is_valid(body["credit_code"])
    assert Application.objects.get(pk=created["id"]).auto_outcome == "review"


def test_a_newly_published_version_takes_effect_without_restarting_workers(
    celery_workers, libraries, citizens, api_client_for
):
    from rules.services import list_import

    client = api_client_for("agency")
    before = api_submit(client, application_document(name="深圳市星河博彩有限公司"))
    assert api_until_status(client, before["id"], "completed", "rejected")["status"] == "completed"

    list_import(kind="name_words", text="word,level,reason\n博彩,prohibited,赌博类用语\n", publish=True)
    after = api_submit(client, application_document(name="深圳市星河博彩网络有限公司", person=SECOND_PERSON))

    assert api_until_status(client, after["id"], "completed", "rejected")["status"] == "rejected"
