"""The API's status documents (intake.documents) are the serializer's documents, key for key.

`ApplicationOutputSerializer` over `application_with_progress` is the reference; the applications
are driven through the real services into every state the document can show.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from accounts.models import ApiClient, Role
from accounts.services import api_client_create, user_create_with_role
from applications.models import Application
from identity.models import AgentAccount, PresenceStage
from intake.api.serializers import ApplicationInputSerializer, ApplicationOutputSerializer
from intake.documents import application_document, application_documents
from intake.selectors import application_with_progress, applications_for_client
from intake.services import application_submit
from review.services import case_claim, case_decide
from tests.conftest import CLEAN_PERSON, DISHONEST_PERSON, SECOND_PERSON, everyone_verified
from tests.conftest import application_document as document_of
from tests.workflow.driver import department_configure, last_message_id, run_scheduled, submit
from workflow.services import check_run, department_call

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _failures_are_final(settings):
    # A department that fails, fails for good at once: as after a day of retries.
    settings.WORKFLOW_MAX_ATTEMPTS = 1
    settings.DEPARTMENT_LATENCY_MS = "0"
    settings.DEPARTMENT_FAILURE_RATE = 0.0


@dataclass
class Portfolio:
    client: ApiClient
    key: str
    other_client: ApiClient
    applications: dict[str, Application]
    other: Application


def _validated(document: dict) -> dict:
    serializer = ApplicationInputSerializer(data=document)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _run_checks(application: Application) -> Application:
    for check in application.checks.all():
        check_run(check_id=check.id)
    application.refresh_from_db()
    return application


def _driven(document: dict, client: ApiClient, *, down: str | None = None) -> Application:
    """Submitted by a trusted channel and driven through the checks and the departments;
    `down` is a department that fails for good meanwhile."""
    if down:
        department_configure(down, failure_rate=1.0)
    mark = last_message_id()
    application = submit(document, api_client=client)
    run_scheduled(after=mark)
    if down:
        department_configure(down, failure_rate=0.0)
    application.refresh_from_db()
    return application


@pytest.fixture
def portfolio(libraries, citizens) -> Portfolio:
    client, key = api_client_create(name="portal")
    other_client, _ = api_client_create(name="elsewhere")
    apps: dict[str, Application] = {}

    # Before proof of presence existed: no presence stage, no checks, nothing dispatched.
    apps["submitted"] = Application.objects.create(
        company_name="深圳市旧档科技有限公司",
        address="深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
        business_scope="软件开发",
        registered_capital=Decimal("500000.5"),
        employees=3,
        api_client=client,
    )
    apps["checking"] = submit(document_of(name="深圳市青禾远峰科技有限公司"), api_client=client)

    waiting = document_of(name="深圳市远帆科技有限公司")
    waiting["handler"] = {k: SECOND_PERSON[k] for k in ("name", "id_number", "phone")}
    apps["awaiting_verification"] = application_submit(document=_validated(waiting), api_client=client).application
    # A waiting application whose presence stage is gone (as rows from before the stage): the
    # serializer lists its verifications all the same.
    no_stage = application_submit(
        document=_validated(document_of(name="深圳市松涛科技有限公司")), api_client=client
    ).application
    PresenceStage.objects.filter(application=no_stage).delete()
    apps["no_presence_stage"] = no_stage

    rejected = _run_checks(submit(document_of(name="深圳市色情文化有限公司"), api_client=client))
    apps["rejected"] = rejected
    apps["manual_review"] = _run_checks(
        submit(document_of(name="深圳市长林咨询有限公司", person=DISHONEST_PERSON), api_client=client)
    )
    returned = _run_checks(
        submit(document_of(name="深圳市长河咨询有限公司", person=DISHONEST_PERSON), api_client=client)
    )
    reviewer = user_create_with_role(username="reviewer", password=PASSWORD, role=Role.REVIEWER)
    case_claim(application_id=returned.id, reviewer=reviewer)
    apps["returned"] = case_decide(
        application_id=returned.id, reviewer=reviewer, decision="return", reason="请补充股东信息"
    )

    dispatching = _run_checks(submit(document_of(name="深圳市晨光科技有限公司"), api_client=client))
    # Market regulation's task calls the other five next; the bank, down, waits for its retry.
    department_configure("bank", failure_rate=1.0)
    with override_settings(WORKFLOW_MAX_ATTEMPTS=2):
        department_call(work_item_id=dispatching.work_items.get(department="market_regulation").id)
    department_configure("bank", failure_rate=0.0)
    dispatching.refresh_from_db()
    apps["dispatching"] = dispatching

    apps["completed"] = _driven(document_of(name="深圳市朝阳科技有限公司"), client)
    apps["incomplete"] = _driven(document_of(name="深圳市晨曦科技有限公司"), client, down="tax")
    apps["incomplete_upstream"] = _driven(document_of(name="深圳市星河科技有限公司"), client, down="market_regulation")

    agent = user_create_with_role(username="yiban", password=PASSWORD, role=Role.AGENT, full_name="易办")
    AgentAccount.objects.create(user=agent, organisation="深圳市易办企业服务有限公司")
    filed = document_of(name="深圳市海川科技有限公司")
    filed["handler"] = {k: SECOND_PERSON[k] for k in ("name", "id_number", "phone")}
    apps["agent_filing"] = application_submit(
        document=_validated(filed), applicant=agent, api_client=client
    ).application

    correction = application_submit(
        document=_validated(document_of(name="深圳市澄明文化有限公司")), api_client=client, corrects=rejected
    ).application
    everyone_verified(correction)
    correction.refresh_from_db()
    apps["correction"] = correction

    other = submit(document_of(name="深圳市别家科技有限公司", person=CLEAN_PERSON), api_client=other_client)
    return Portfolio(client=client, key=key, other_client=other_client, applications=apps, other=other)


def _reference(queryset, application: Application) -> dict:
    return ApplicationOutputSerializer(application_with_progress(queryset=queryset, application_id=application.id)).data


def _json(data: object) -> bytes:
    return JSONRenderer().render(data)


def test_the_fixture_reaches_every_state_the_document_shows(portfolio):
    statuses = {name: application.status for name, application in portfolio.applications.items()}
    assert statuses == {
        "submitted": "submitted",
        "checking": "checking",
        "awaiting_verification": "awaiting_verification",
        "no_presence_stage": "awaiting_verification",
        "rejected": "rejected",
        "manual_review": "manual_review",
        "returned": "returned",
        "dispatching": "dispatching",
        "completed": "completed",
        "incomplete": "incomplete",
        "incomplete_upstream": "incomplete",
        "agent_filing": "awaiting_verification",
        "correction": "checking",
    }


def test_each_document_is_the_serializers_document(portfolio):
    queryset = applications_for_client(client=portfolio.client)
    for name, application in portfolio.applications.items():
        document = application_document(queryset=queryset, application_id=application.id)
        reference = _reference(queryset, application)

        assert document == reference, name
        # The same bytes on the wire: key order included.
        assert _json(document) == _json(reference), name


def test_the_documents_carry_what_each_state_shows(portfolio):
    """Guards the comparison above: each state's distinctive part is really there."""
    queryset = applications_for_client(client=portfolio.client)
    docs = {
        name: application_document(queryset=queryset, application_id=application.id)
        for name, application in portfolio.applications.items()
    }

    completed = docs["completed"]
    assert completed["licence"]["number"] and "/verify/licence/" in completed["licence"]["verify_url"]
    assert completed["credit_code"] and completed["completed_at"].endswith("+08:00")
    assert {d["status"] for d in completed["departments"]} == {"done"}
    assert not any("licence_token" in d["result"] for d in completed["departments"])
    assert completed["data_shared"] and all(entry["delivered"] for entry in completed["data_shared"])
    assert completed["verifications"] == [] and completed["filed_for"] is None

    failures = {d["department"]: d["failure"] for d in docs["incomplete"]["departments"]}
    assert failures["tax"] == "unavailable" and failures["market_regulation"] is None
    assert docs["incomplete"]["licence"] is not None
    assert {d["failure"] for d in docs["incomplete_upstream"]["departments"]} == {"unavailable", "upstream"}
    assert docs["incomplete_upstream"]["licence"] is None

    statuses = {d["department"]: d["status"] for d in docs["dispatching"]["departments"]}
    assert statuses["market_regulation"] == statuses["tax"] == "done"
    assert "pending" in statuses.values() and docs["dispatching"]["licence"] is not None

    assert [v["role"] for v in docs["awaiting_verification"]["verifications"]] == ["legal_representative", "handler"]
    assert docs["no_presence_stage"]["verifications"]
    assert docs["agent_filing"]["filed_for"]["agent"] == "深圳市易办企业服务有限公司"
    assert docs["agent_filing"]["filed_for"]["principals"]
    assert docs["correction"]["corrects"] == str(portfolio.applications["rejected"].id)
    assert {v["status"] for v in docs["correction"]["verifications"]} == {"verified"}
    assert docs["rejected"]["outcome"] == "reject" and docs["rejected"]["decided_at"]
    assert docs["submitted"]["company"]["registered_capital"] == "500000.50"
    assert docs["submitted"]["checks"] == docs["submitted"]["departments"] == []


def test_the_list_is_the_serializers_list_newest_first(portfolio):
    queryset = applications_for_client(client=portfolio.client)
    reference = ApplicationOutputSerializer(queryset.prefetch_related("checks", "work_items")[:100], many=True).data

    documents = application_documents(queryset=queryset, limit=100)

    assert len(documents) == len(portfolio.applications)
    assert documents == reference
    assert _json(documents) == _json(reference)
    assert documents[0]["id"] == str(portfolio.applications["correction"].id)
    assert application_documents(queryset=queryset, limit=3) == documents[:3]


def test_another_clients_application_is_not_returned(portfolio):
    mine = applications_for_client(client=portfolio.client)

    assert application_document(queryset=mine, application_id=portfolio.other.id) is None
    assert application_documents(queryset=mine, application_ids=[portfolio.other.id]) == []
    assert str(portfolio.other.id) not in {d["id"] for d in application_documents(queryset=mine)}
    theirs = applications_for_client(client=portfolio.other_client)
    assert [d["id"] for d in application_documents(queryset=theirs)] == [str(portfolio.other.id)]
    asked = [portfolio.other.id, portfolio.applications["completed"].id]
    assert [d["id"] for d in application_documents(queryset=mine, application_ids=asked)] == [
        str(portfolio.applications["completed"].id)
    ]
    assert application_documents(queryset=mine, application_ids=[]) == []
    assert application_documents(queryset=Application.objects.none()) == []


def test_the_documents_follow_the_current_time_zone_and_language(portfolio):
    queryset = applications_for_client(client=portfolio.client)
    completed = portfolio.applications["completed"]
    with timezone.override("UTC"), translation.override("en"):
        document = application_document(queryset=queryset, application_id=completed.id)
        reference = _reference(queryset, completed)

    assert document == reference
    assert document["created_at"].endswith("Z")
    with translation.override("zh-hans"):
        chinese = application_document(queryset=queryset, application_id=completed.id)
    assert chinese["created_at"].endswith("+08:00")
    assert chinese["data_shared"] != document["data_shared"]  # the field names, translated


def test_the_api_answers_with_these_documents(portfolio):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {portfolio.key}")
    queryset = applications_for_client(client=portfolio.client)
    completed = portfolio.applications["completed"]

    detail = client.get(f"/api/v1/applications/{completed.id}/")
    listed = client.get("/api/v1/applications/")

    assert detail.status_code == listed.status_code == 200
    assert detail.content == _json(_reference(queryset, completed))
    reference = ApplicationOutputSerializer(queryset.prefetch_related("checks", "work_items")[:100], many=True).data
    assert listed.content == _json(reference)
    assert client.get(f"/api/v1/applications/{portfolio.other.id}/").status_code == 404
