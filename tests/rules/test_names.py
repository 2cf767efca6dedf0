from __future__ import annotations

import pytest

from rules.engine import Ports, check_library
from rules.lists import ENTERPRISES, NAME_WORDS
from rules.services import enterprise_register
from tests.rules.conftest import subject

pytestmark = pytest.mark.django_db

PORTS = Ports()


def names(name: str):
    return check_library("names", subject(company_name=name), ports=PORTS)


def rules_fired(result) -> list[str]:
    return [f.rule for f in result.findings]


def test_a_clean_name_passes(demo_loaded) -> None:
    result = names("深圳市云帆科技有限公司")
    assert result.outcome == "pass"
    assert result.findings == ()
    assert result.versions == {"name_words": 1, "enterprises": 1}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("深圳市赌博科技有限公司", "赌博"),
        ("深圳市赌 博科技有限公司", "赌 博"),
        ("深圳市赌·博科技有限公司", "赌·博"),
        ("深圳市赌　博科技有限公司", "赌　博"),  # ideographic space
        ("深圳市赌＊博科技有限公司", "赌＊博"),  # full-width asterisk
        ("深圳市賭博科技有限公司", "賭博"),  # traditional
        ("深圳市賭-.-博科技有限公司", "賭-.-博"),
    ],
)
def test_prohibited_word_is_rejected_despite_evasion(demo_loaded, name: str, text: str) -> None:
    result = names(name)
    assert result.outcome == "reject"
    # Symbols such as ＊ or - are also refused as characters of a name; the word is found anyway.
    assert set(rules_fired(result)) - {"name_characters"} == {"prohibited_word"}
    [finding] = [f for f in result.findings if f.rule == "prohibited_word"]
    assert finding.library == "names"
    assert finding.evidence["matched"] == "赌博"
    assert finding.evidence["reason"] == "违背公序良俗"
    start, end = finding.evidence["span"]
    assert start == 3
    assert name[start:end] == text == finding.evidence["text"]
    assert "赌博" in finding.message and "prohibited" in finding.message_en


def test_full_width_latin_word_is_matched(import_rows) -> None:
    import_rows(NAME_WORDS, [{"word": "VIP", "level": "restricted", "reason": "易引人误解"}])
    result = names("深圳市ｖｉｐ会所管理有限公司")
    assert result.outcome == "review"
    [finding] = result.findings
    assert finding.evidence["span"] == [3, 6]
    assert finding.evidence["text"] == "ｖｉｐ"


def test_restricted_word_goes_to_review(demo_loaded) -> None:
    result = names("深圳市国际贸易有限公司")
    assert result.outcome == "review"
    [finding] = result.findings
    assert finding.rule == "restricted_word"
    assert finding.outcome == "review"
    assert finding.evidence["matched"] == "国际"
    assert finding.evidence["span"] == [3, 5]


def test_prohibited_and_restricted_together_reject_and_report_both(demo_loaded) -> None:
    result = names("中国博彩有限公司")
    assert result.outcome == "reject"
    assert rules_fired(result) == ["restricted_word", "prohibited_word"]
    assert [f.evidence["span"] for f in result.findings] == [[0, 2], [2, 4]]


@pytest.mark.parametrize("name", ["深圳市云帆科技", "深圳市云帆科技公司", "深圳市云帆科技集团", "有限公司"])
def test_missing_organisation_form_is_rejected(demo_loaded, name: str) -> None:
    result = names(name)
    assert result.outcome == "reject"
    assert rules_fired(result) == ["organisation_form"]
    assert "组织形式" in result.findings[0].message
    assert "organisation form" in result.findings[0].message_en


@pytest.mark.parametrize(
    "name",
    [
        "深圳市云帆科技股份有限公司",
        "深圳市云帆科技有限责任公司",
        "深圳云帆创业投资合伙企业（有限合伙）",
        "深圳市云帆软件个人独资企业",
        "深圳市云帆科技有限公司南山分公司",
    ],
)
def test_organisation_forms_are_accepted(demo_loaded, name: str) -> None:
    assert "organisation_form" not in rules_fired(names(name))


def test_name_identical_to_an_imported_enterprise_is_rejected(demo_loaded) -> None:
    existing = demo_loaded[ENTERPRISES][7]
    # Spaces and punctuation between the characters do not make it a different name.
    variant = "·".join(existing["name"]).replace("深圳市", "深圳市 ")
    result = names(variant)
    assert result.outcome == "reject"
    # The demo register also holds other companies with the same trade name in the same
    # industry; they are reported after the identical one.
    finding = result.findings[0]
    # Companies at other registration authorities are only listed, as advice.
    assert {f.rule for f in result.findings[1:]} <= {"same_trade_name", "similar_name_elsewhere"}
    assert finding.rule == "identical_name"
    assert finding.evidence["existing_name"] == existing["name"]
    assert finding.evidence["credit_code"] == existing["credit_code"]
    assert existing["credit_code"] in finding.message


def test_name_identical_to_a_live_registration_is_rejected_at_once(demo_loaded) -> None:
    assert names("深圳市云帆科技有限公司").outcome == "pass"
    enterprise_register(name="深圳市云帆科技有限公司", credit_code="91440300MA5FUTXB8W")
    result = names("深圳市雲帆科技有限公司")
    assert result.outcome == "reject"
    [finding] = result.findings
    assert finding.rule == "identical_name"
    assert finding.evidence["credit_code"] == "91440300MA5FUTXB8W"
    assert finding.evidence["source"] == "registration"


def test_enterprise_register_is_idempotent_and_validates_the_code(db) -> None:
    from rules.models import RegisteredEnterprise

    enterprise_register(name="深圳市云帆科技有限公司", credit_code="91440300ma5futxb8w")
    enterprise_register(name="深圳市云帆科技有限公司", credit_code="91440300MA5FUTXB8W")
    assert RegisteredEnterprise.objects.count() == 1
    with pytest.raises(ValueError, match="check character"):
        enterprise_register(name="深圳市某某有限公司", credit_code="91440300MA5FUTXB8A")


def test_empty_name_is_rejected(demo_loaded) -> None:
    result = names("  ")
    assert rules_fired(result) == ["name_missing"]


def test_names_without_published_lists_still_checks_the_form(db) -> None:
    result = names("深圳市赌博科技")
    assert result.versions == {"name_words": 0, "enterprises": 0}
    assert rules_fired(result) == ["organisation_form"]
