"""Company names accept only the characters a registered name may contain."""

from __future__ import annotations

import pytest

from applications.models import Application
from rules.engine import Ports, Subject, check_library
from rules.names_charset import disallowed_characters
from tests.conftest import application_document

BAD_NAMES = [
    ("深圳市云帆😀科技有限公司", "U+1F600"),
    ("深圳市\u202e云帆科技有限公司", "U+202E"),  # right-to-left override: reorders what a reviewer sees
    ("深圳市云帆\u200b科技有限公司", "U+200B"),  # zero-width space
    ("深圳市云帆<script>科技有限公司", "U+003C"),
]


@pytest.mark.parametrize(
    "name",
    [
        "深圳市云帆科技有限公司",
        "云帆（深圳）科技有限公司",
        "深圳市 云·帆 科技有限公司",
        "深圳市ABC123科技有限公司",
        "深圳市ＡＢ科技有限公司",
    ],
)
def test_the_characters_of_a_registered_name_are_accepted(name: str) -> None:
    assert disallowed_characters(name) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "code"), BAD_NAMES)
def test_the_names_library_rejects_other_characters(name: str, code: str) -> None:
    result = check_library("names", Subject(company_name=name, address=""), ports=Ports())
    assert result.outcome == "reject"
    [finding] = [f for f in result.findings if f.rule == "name_characters"]
    assert code in finding.evidence["characters"]
    assert code in finding.message and code in finding.message_en


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "code"), BAD_NAMES[:2])
def test_the_api_refuses_them_with_a_field_error_and_stores_nothing(api_client_for, name: str, code: str) -> None:
    client = api_client_for("integrator")
    response = client.post("/api/v1/applications/", application_document(name=name), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    [message] = errors.get("company.name") or errors["company"]["name"]
    assert code in message
    assert not Application.objects.exists()
