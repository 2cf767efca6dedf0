from __future__ import annotations

import json

import pytest

from rules.engine import PersonFacts, Ports, Subject, check_all, check_library
from rules.lists import DISHONEST_PERSONS

pytestmark = pytest.mark.django_db

DEBTOR = {
    "name": "王芳",
    "id_number": "43052519920902865X",
    "court": "深圳市南山区人民法院",
    "case_number": "（2024）粤0305执1234号",
    "published_on": "2024-06-30",
}


def subject(*persons: PersonFacts) -> Subject:
    return Subject(company_name="深圳市云帆科技有限公司", address="深圳市南山区", persons=persons)


def test_listed_person_goes_to_review_even_with_a_lowercase_x(import_rows, demo) -> None:
    import_rows(DISHONEST_PERSONS, [*demo[DISHONEST_PERSONS], DEBTOR])
    applicant = PersonFacts(role="legal_representative", name="王芳", id_number="43052519920902865x")
    result = check_library("dishonest", subject(applicant), ports=Ports())
    assert result.outcome == "review"
    assert result.versions == {"dishonest_persons": 1}
    [finding] = result.findings
    assert finding.rule == "dishonest_person"
    assert finding.outcome == "review"
    assert finding.evidence == {
        "roles": ["legal_representative"],
        "name": "王芳",
        "id_number": "430525********865X",
        "court": "深圳市南山区人民法院",
        "case_number": "（2024）粤0305执1234号",
        "published_on": "2024-06-30",
        "entry_line": len(demo[DISHONEST_PERSONS]) + 2,
    }
    assert "人工" in finding.message and "manual review" in finding.message_en
    dumped = json.dumps(result.to_dict(), ensure_ascii=False)
    assert DEBTOR["id_number"] not in dumped and DEBTOR["id_number"].lower() not in dumped


def test_every_listed_case_and_every_role_is_reported(import_rows) -> None:
    second_case = {**DEBTOR, "case_number": "（2025）粤0305执88号", "published_on": ""}
    import_rows(DISHONEST_PERSONS, [DEBTOR, second_case])
    persons = (
        PersonFacts(role="legal_representative", name="王芳", id_number=DEBTOR["id_number"]),
        PersonFacts(role="handler", name="王芳", id_number=DEBTOR["id_number"]),
        PersonFacts(role="shareholder", name="李娜", id_number="320000197902240166"),
    )
    result = check_library("dishonest", subject(*persons), ports=Ports())
    assert [f.evidence["case_number"] for f in result.findings] == [DEBTOR["case_number"], second_case["case_number"]]
    assert all(f.evidence["roles"] == ["legal_representative", "handler"] for f in result.findings)
    assert result.findings[1].evidence["published_on"] is None


def test_listed_shareholder_goes_to_review(demo_loaded) -> None:
    listed = demo_loaded[DISHONEST_PERSONS][3]
    shareholder = PersonFacts(role="shareholder", name=listed["name"], id_number=listed["id_number"])
    result = check_library("dishonest", subject(shareholder), ports=Ports())
    assert [(f.rule, f.evidence["roles"]) for f in result.findings] == [("dishonest_person", ["shareholder"])]


def test_people_not_on_the_list_pass(demo_loaded) -> None:
    person = PersonFacts(role="legal_representative", name="张伟", id_number="11010519491231002X")
    result = check_library("dishonest", subject(person), ports=Ports())
    assert result.outcome == "pass"
    assert result.findings == ()


def test_a_dishonest_person_alone_makes_the_whole_application_review(demo_loaded) -> None:
    listed = demo_loaded[DISHONEST_PERSONS][0]

    class Registry:
        def verify(self, *, id_number: str, name: str):
            from rules.engine import CitizenVerification

            return CitizenVerification(found=True, name_matches=True, status="valid")

    doc = {
        "company": {"name": "深圳市云帆科技有限公司", "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201"},
        "legal_representative": {"name": listed["name"], "id_number": listed["id_number"], "phone": "13800138000"},
    }
    outcome, results = check_all(Subject.from_document(doc), ports=Ports(citizens=Registry()))
    assert outcome == "review"
    assert [r.outcome for r in results] == ["pass", "pass", "pass", "review"]


def test_removing_an_entry_in_a_new_version_takes_effect_for_the_next_check(import_rows) -> None:
    second = {**DEBTOR, "name": "李娜", "id_number": "320000197902240166", "case_number": "（2025）粤0305执9号"}
    import_rows(DISHONEST_PERSONS, [DEBTOR, second])
    applicant = PersonFacts(role="legal_representative", name="王芳", id_number=DEBTOR["id_number"])
    assert check_library("dishonest", subject(applicant), ports=Ports()).outcome == "review"
    import_rows(DISHONEST_PERSONS, [second])  # the court removed 王芳
    result = check_library("dishonest", subject(applicant), ports=Ports())
    assert (result.outcome, result.versions) == ("pass", {"dishonest_persons": 2})


def test_findings_name_court_case_date_and_entry(import_rows) -> None:
    import_rows(DISHONEST_PERSONS, [DEBTOR])
    applicant = PersonFacts(role="handler", name="王芳", id_number=DEBTOR["id_number"])
    [finding] = check_library("dishonest", subject(applicant), ports=Ports()).findings
    assert "深圳市南山区人民法院" in finding.message and "2024-06-30" in finding.message
    assert finding.entry.to_dict() == {
        "list": DISHONEST_PERSONS,
        "version": 1,
        "line": 2,
        "id": DEBTOR["case_number"],
        "scope": "national",
    }
