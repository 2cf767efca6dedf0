"""Agent filing (代办): an intermediary files for a company it does not belong to, as its handler;
every principal still verifies through their own link; the agent sees only its own filings."""

import pytest
from django.test import Client as WebClient

from accounts.models import ApplicantProfile, Role
from accounts.services import user_create_with_role
from applications.models import Application
from identity.models import AgentAccount, Verification
from tests.conftest import CLEAN_PERSON, SECOND_PERSON
from tests.identity.conftest import link_token

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def _agent() -> WebClient:
    user = user_create_with_role(username="yiban", password=PASSWORD, role=Role.AGENT, full_name="易办")
    AgentAccount.objects.create(user=user, organisation="深圳市易办企业服务有限公司")
    ApplicantProfile.objects.create(user=user, **SECOND_PERSON)
    client = WebClient()
    client.force_login(user)
    return client


def _form(**overrides: str) -> dict:
    return {
        "company.name": "深圳市远帆科技有限公司",
        "company.address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
        "company.business_scope": "软件开发",
        "company.registered_capital": "1000000.00",
        "legal_representative.name": CLEAN_PERSON["name"],
        "legal_representative.id_number": CLEAN_PERSON["id_number"],
        "legal_representative.phone": CLEAN_PERSON["phone"],
        "shareholders.0.name": CLEAN_PERSON["name"],
        "shareholders.0.id_number": CLEAN_PERSON["id_number"],
        "shareholders.0.contribution": "1000000.00",
        "shareholder_count": "1",
        **overrides,
    }


def test_an_agent_files_as_the_handler_and_each_principal_verifies_on_their_own_link(libraries, registry_with_photos):
    agent = _agent()
    assert agent.get("/apply/").status_code == 200

    # Whatever handler the form names, the agent is the handler of its filing.
    response = agent.post(
        "/apply/",
        _form(
            **{
                "handler_is_agent": "on",
                "handler.name": "冒名",
                "handler.id_number": CLEAN_PERSON["id_number"],
                "handler.phone": CLEAN_PERSON["phone"],
            }
        ),
    )

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.applicant.username == "yiban"
    handler = application.persons.get(role="handler")
    assert (handler.name, handler.id_number) == (SECOND_PERSON["name"], SECOND_PERSON["id_number"])
    # The agent verifies in the same flow (its own handler verification); the principal by SMS link.
    own = Verification.objects.get(role="handler")
    assert response["Location"] == f"/verify/{link_token(response['Location'])}/"
    assert Verification.objects.get(role="legal_representative").person.id_number == CLEAN_PERSON["id_number"]
    status = agent.get(f"/applications/{application.id}/status.json").json()
    assert status["filed_for"]["agent"] == "深圳市易办企业服务有限公司"
    assert [p["roles"] for p in status["filed_for"]["principals"]] == [["法定代表人", "股东"]]
    assert CLEAN_PERSON["name"] not in str(status["filed_for"])
    page = agent.get(f"/applications/{application.id}/").content.decode()
    assert "深圳市易办企业服务有限公司" in page and 'id="data-principals"' in page
    assert own.status == "pending"


def test_the_agent_cannot_pass_the_principals_verification_with_its_own_phone(libraries, registry_with_photos):
    agent = _agent()
    agent.post("/apply/", _form())
    principal = Verification.objects.get(role="legal_representative")
    link = next(
        v["link"]
        for v in agent.get(f"/applications/{principal.application_id}/status.json").json()["verifications"]
        if v["role"] == "legal_representative"
    )

    refused = agent.post(
        f"/api/v1/verifications/{link_token(link)}/send-code/",
        {"phone": SECOND_PERSON["phone"]},
        content_type="application/json",
    )

    assert refused.status_code == 400 and refused.json()["reason"].startswith("carrier_")


def test_an_agent_sees_only_its_own_filings(libraries, registry_with_photos):
    agent = _agent()
    agent.post("/apply/", _form())
    other = user_create_with_role(username="founder2", password=PASSWORD, role=Role.APPLICANT)
    stranger = WebClient()
    stranger.force_login(other)
    application = Application.objects.get()

    assert stranger.get(f"/applications/{application.id}/").status_code == 404
    assert stranger.get(f"/applications/{application.id}/status.json").status_code == 404
    assert "深圳市远帆科技有限公司" in agent.get("/").content.decode()
    assert "深圳市远帆科技有限公司" not in stranger.get("/").content.decode()


def test_a_plain_user_without_the_agent_role_cannot_file_as_one(db):
    user = user_create_with_role(username="nobody", password=PASSWORD, role=Role.OPERATOR)
    client = WebClient()
    client.force_login(user)
    assert client.get("/apply/").status_code == 403
