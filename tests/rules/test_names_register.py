"""The names library against the enterprise register, homophones, structure findings."""

from __future__ import annotations

import pytest

from rules.engine import Ports, check_library
from rules.lists import ENTERPRISES, NAME_WORDS
from rules.services import enterprise_register
from tests.rules.conftest import subject

pytestmark = pytest.mark.django_db

REGISTER = [
    {"name": "深圳市云帆科技有限公司", "credit_code": "91440300MA5FUTXB8W"},
    {"name": "广州市星河贸易有限公司", "credit_code": "91440101MA59XXXX0A"},
]


@pytest.fixture
def register(import_rows):
    import random

    from rules.demo import credit_code

    rng = random.Random(7)
    rows = [{"name": r["name"], "credit_code": credit_code(rng)} for r in REGISTER]
    import_rows(ENTERPRISES, rows)
    import_rows(
        NAME_WORDS,
        [
            {
                "word": "赌博",
                "level": "prohibited",
                "reason": "违背公序良俗",
                "legal_basis": "《企业名称登记管理规定》第十一条",
            }
        ],
    )
    return rows


def names(name: str):
    return check_library("names", subject(company_name=name), ports=Ports())


def fired(result) -> list[str]:
    return [f.rule for f in result.findings]


@pytest.mark.parametrize(
    "name",
    [
        "深圳市云帆科技有限公司",
        "云帆科技有限公司",  # no region
        "深圳市云帆科技股份有限公司",  # another organisation form
        "深圳市 云·帆 科技有限公司",
        "深圳市雲帆科技有限公司",
    ],
)
def test_the_same_name_without_region_and_form_is_rejected(register, name: str) -> None:
    result = names(name)
    assert result.outcome == "reject"
    assert fired(result)[0] == "identical_name"
    finding = result.findings[0]
    assert finding.evidence["existing_name"] == "深圳市云帆科技有限公司"
    assert finding.entry is not None and finding.entry.list == ENTERPRISES and finding.entry.version == 1
    assert "第十七条" in finding.message


def test_the_same_trade_name_in_the_same_industry_is_rejected(register) -> None:
    result = names("深圳市云帆网络科技有限公司")  # 网络科技 and 科技: both technology
    assert fired(result) == ["same_trade_name"]
    finding = result.findings[0]
    assert finding.evidence["existing_name"] == "深圳市云帆科技有限公司"
    assert finding.evidence["text"] == "云帆"


def test_the_same_trade_name_in_another_industry_passes(register) -> None:
    assert names("深圳市云帆餐饮管理有限公司").outcome == "pass"


@pytest.mark.parametrize(
    ("name", "relation"),
    [
        ("深圳市芸帆科技有限公司", "homophone"),  # yun-fan
        ("深圳市云凡科技有限公司", "homophone"),
        ("深圳市帆云科技有限公司", "near_identical"),  # swapped
        ("深圳市云帆达科技有限公司", "near_identical"),  # one character more
    ],
)
def test_homophones_and_near_identical_trade_names_go_to_review(register, name: str, relation: str) -> None:
    result = names(name)
    assert result.outcome == "review", fired(result)
    [finding] = result.findings
    assert finding.rule == "similar_name"
    assert finding.evidence["similar"][0]["name"] == "深圳市云帆科技有限公司"
    assert finding.evidence["similar"][0]["relation"] == relation
    assert "深圳市云帆科技有限公司" in finding.message


def test_similarity_also_covers_live_registrations_and_respects_as_of(register) -> None:
    import datetime

    from django.utils import timezone

    before = timezone.now() - datetime.timedelta(seconds=1)
    enterprise_register(name="深圳市鲲鹏物流有限公司", credit_code="91440300MA5G00001W")
    result = names("深圳市昆鹏物流有限公司")
    assert fired(result) == ["similar_name"]
    assert result.findings[0].evidence["similar"][0]["source"] == "registration"
    # Replayed as of a moment before the registration, the name was free.
    replay = check_library("names", subject(company_name="深圳市昆鹏物流有限公司"), ports=Ports(), as_of=before)
    assert replay.outcome == "pass"


def test_a_repeated_registration_updates_the_one_row_and_keeps_when_it_was_registered() -> None:
    from rules.models import RegisteredEnterprise

    enterprise_register(name="深圳市鲲鹏物流有限公司", credit_code="91440300MA5G00001W")
    first = RegisteredEnterprise.objects.get(credit_code="91440300MA5G00001W")
    enterprise_register(
        name="深圳市鲲鹏供应链有限公司", credit_code="91440300MA5G00001W", address="深圳市南山区科苑路15号"
    )

    [row] = RegisteredEnterprise.objects.filter(credit_code="91440300MA5G00001W")
    assert (row.name, row.address, row.registered_at) == (
        "深圳市鲲鹏供应链有限公司",
        "深圳市南山区科苑路15号",
        first.registered_at,
    )
    assert row.core_key != first.core_key


def test_a_prohibited_word_spelled_by_homophone_goes_to_review(register) -> None:
    result = names("深圳市堵搏科技有限公司")
    assert result.outcome == "review"
    [finding] = result.findings
    assert finding.rule == "prohibited_homophone"
    assert finding.evidence["matched"] == "赌博"
    assert finding.evidence["text"] == "堵搏"
    assert finding.evidence["span"] == [3, 5]


def test_a_prohibited_word_names_its_entry_and_legal_basis(register) -> None:
    result = names("深圳市赌博科技有限公司")
    [finding] = result.findings
    assert finding.rule == "prohibited_word"
    assert finding.entry.to_dict() == {"list": NAME_WORDS, "version": 1, "line": 2, "id": "赌博", "scope": "national"}
    assert finding.evidence["legal_basis"] == "《企业名称登记管理规定》第十一条"
    assert "依据：《企业名称登记管理规定》第十一条" in finding.message
    assert "Legal basis" in finding.message_en
    assert finding.to_dict()["entry"]["line"] == 2


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("深圳市帆科技有限公司", "trade_name_too_short"),
        ("火星市云舟科技有限公司", "unknown_region"),
        ("南山区云舟科技有限公司", "district_without_city"),
    ],
)
def test_structure_errors_reject_with_a_clear_finding(register, name: str, rule: str) -> None:
    result = names(name)
    assert result.outcome == "reject"
    assert fired(result) == [rule]
    finding = result.findings[0]
    assert finding.evidence["legal_basis"].startswith("《企业名称登记管理规定》")
    assert finding.message and finding.message_en
    start, end = finding.evidence["span"]
    assert name[start:end] == finding.evidence["text"]
