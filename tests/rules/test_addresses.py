from __future__ import annotations

import pytest

from rules.addressing import StandardAddress, address_key, dict_lookup, prefix_candidates, resolve_address
from rules.engine import Ports, check_library
from rules.lists import ADDRESS_BLACKLIST, STANDARD_ADDRESSES
from tests.rules.conftest import subject

KEXING = "深圳市南山区粤海街道科苑路15号科兴科学园A栋"
KEXING_CODE = "440305001000001"


def addresses(address: str):
    return check_library("addresses", subject(address=address), ports=Ports())


@pytest.mark.parametrize(
    "variant",
    [
        KEXING,
        "广东省深圳市南山区粤海街道科苑路15号科兴科学园A栋",  # with the province
        "南山区粤海街道科苑路15号科兴科学园A栋",  # without the city
        "深圳市南山区科苑路15号科兴科学园A栋",  # without the street
        "南山区科苑路15号科兴科学园A栋",  # neither city nor street
        "深圳市南山区粤海街道科苑路１５号科兴科学园Ａ栋",  # full-width digits and letter
        "深圳市南山区粤海街道科苑路十五号科兴科学园A栋",  # Chinese numeral
        "深圳市南山区粤海街道科苑路15号科兴科学园A座",  # 座 for 栋
        "深圳市南山区粤海街道科苑路15号科兴科学园A幢",  # 幢 for 栋
        "深圳市 南山区 粤海街道 科苑路 15 号 科兴科学园 A 栋",  # spaces
        "深圳市南山區粵海街道科苑路15號科興科學園A棟",  # traditional characters
        "深圳市南山区粤海街道科苑路15号科兴科学园a栋",  # lowercase building letter
    ],
)
def test_address_variants_have_the_same_key(variant: str) -> None:
    assert address_key(variant) == address_key(KEXING) == "南山区科苑路15号科兴科学园a栋"


def test_numbered_building_written_as_haolou_is_a_dong() -> None:
    assert address_key("南山区科苑路15号科兴科学园三号楼") == address_key("南山区科苑路15号科兴科学园3栋")


def test_room_numbers_in_chinese_numerals_are_read_digit_by_digit() -> None:
    assert address_key("A栋十二层一二零一室") == "a栋12层1201室"


def test_prefixes_never_cut_through_a_number() -> None:
    candidates = prefix_candidates("科苑路155号")
    assert "科苑路15" not in candidates
    assert "科苑路1" not in candidates
    assert candidates[0] == "科苑路155号"
    assert "科苑路" in candidates


def test_resolver_prefers_the_longest_standard_address() -> None:
    index = {
        address_key("南山区科苑路15号"): StandardAddress(code="road-number", full_address="南山区科苑路15号"),
        address_key(KEXING): StandardAddress(code=KEXING_CODE, full_address=KEXING),
    }
    resolved = resolve_address("南山区科苑路15号科兴科学园A栋1201室", lookup=dict_lookup(index))
    assert resolved is not None
    assert resolved.code == KEXING_CODE
    assert resolved.remainder == "1201室"
    other = resolve_address("南山区科苑路15号科兴科学园Z栋", lookup=dict_lookup(index))
    assert other is not None and other.code == "road-number"
    assert resolve_address("南山区科苑路155号", lookup=dict_lookup(index)) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    [
        "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
        "南山区科苑路十五号科兴科学园A座1201室",
        "广东省深圳市南山区粤海街道科苑路１５号科兴科学园A栋12楼1201",
        KEXING,
    ],
)
def test_address_resolving_to_a_standard_address_passes(demo_loaded, address: str) -> None:
    result = addresses(address)
    assert result.outcome == "pass", result.findings
    assert result.versions == {
        "standard_addresses": 1,
        "address_blacklist": 1,
        "address_concentration": 0,
        "enterprises": 1,
    }


@pytest.mark.django_db
def test_unresolvable_address_is_rejected(demo_loaded) -> None:
    result = addresses("深圳市南山区粤海街道科苑路99999号不存在大厦")
    assert result.outcome == "reject"
    [finding] = result.findings
    assert finding.rule == "not_standard"
    assert "不是标准地址" in finding.message
    assert "not a standard address" in finding.message_en


@pytest.mark.django_db
def test_missing_address_is_rejected(demo_loaded) -> None:
    assert [f.rule for f in addresses("").findings] == ["address_missing"]


@pytest.mark.django_db
def test_blacklisted_address_is_rejected_with_its_reason(demo_loaded) -> None:
    standard = {row["code"]: row for row in demo_loaded[STANDARD_ADDRESSES]}
    listed_by_code = next(row for row in demo_loaded[ADDRESS_BLACKLIST] if row["address"] in standard)
    target = standard[listed_by_code["address"]]
    # The applicant types the address with the province and an extra room number.
    result = addresses("广东省" + target["full_address"] + "501室")
    assert result.outcome == "reject"
    [finding] = result.findings
    assert finding.rule == "blacklisted"
    assert finding.evidence["code"] == target["code"]
    assert finding.evidence["reason"] == listed_by_code["reason"]
    assert listed_by_code["reason"] in finding.message


@pytest.mark.django_db
def test_blacklist_entry_given_as_free_text_is_hit(demo_loaded) -> None:
    listed_as_text = next(row for row in demo_loaded[ADDRESS_BLACKLIST] if not row["address"].isdigit())
    result = addresses("深圳市" + listed_as_text["address"])
    assert [f.rule for f in result.findings] == ["blacklisted"]


@pytest.mark.django_db
def test_without_a_standard_library_nothing_resolves(db) -> None:
    result = addresses(KEXING)
    assert result.versions == {
        "standard_addresses": 0,
        "address_blacklist": 0,
        "address_concentration": 0,
        "enterprises": 0,
    }
    assert [f.rule for f in result.findings] == ["not_standard"]


@pytest.mark.django_db
def test_forms_can_resolve_an_address_like_the_library(demo_loaded) -> None:
    from rules.selectors import standard_address_resolve

    resolved = standard_address_resolve(text="南山区科苑路十五号科兴科学园A座1201室")
    assert resolved is not None
    assert (resolved.code, resolved.full_address, resolved.remainder) == (KEXING_CODE, KEXING, "1201室")
    assert standard_address_resolve(text="火星基地1号") is None
