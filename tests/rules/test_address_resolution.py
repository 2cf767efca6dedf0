"""Address parsing, scored resolution (resolved / ambiguous / none), negative-list expiry and
the concentration rule (集中登记)."""

from __future__ import annotations

import datetime

import pytest

from rules.addressing import parse_address
from rules.engine import Ports, check_library
from rules.lists import ADDRESS_BLACKLIST, ADDRESS_CONCENTRATION, ENTERPRISES, STANDARD_ADDRESSES
from rules.services import enterprise_register, list_import
from tests.rules.conftest import subject

STANDARD = """code,full_address
NS-1,广东省深圳市南山区粤海街道科苑路15号科兴科学园A栋
NS-2,广东省深圳市南山区粤海街道科苑路15号科兴科学园B栋
NS-3,广东省深圳市南山区粤海街道深南大道9988号
FT-1,广东省深圳市福田区福田街道深南大道9988号
FT-2,广东省深圳市福田区福田街道福华一路6号免税商务大厦
"""


def addresses(address: str, **kwargs: object):
    return check_library("addresses", subject(address=address), ports=Ports(), **kwargs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "广东省深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
            ("广东省", "深圳市", "南山区", "粤海街道", "科苑路", "15号", "科兴科学园a栋", "1201"),
        ),
        (
            "深圳市南山区科苑路十五号科兴科学园Ａ座十二层一二零一室",
            ("", "深圳市", "南山区", "", "科苑路", "15号", "科兴科学园a栋", "12层1201室"),
        ),
        ("北京市朝阳区建国路88号现代城3号楼1001", ("", "北京市", "朝阳区", "", "建国路", "88号", "现代城3栋", "1001")),
        ("福华一路6号免税商务大厦", ("", "", "", "", "福华一路", "6号", "免税商务大厦", "")),
    ],
)
def test_the_parser_finds_each_component(text: str, expected: tuple[str, ...]) -> None:
    parts = parse_address(text)
    assert tuple(parts.values()) == expected


@pytest.fixture
def standard(db):
    list_import(kind=STANDARD_ADDRESSES, text=STANDARD, publish=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "variant",
    [
        "科苑路15号科兴科学园A栋",  # no province, city, street or district: still unique
        "深圳市科苑路十五号科兴科学园A座1201",
        "南山区科苑路１５号科兴科学园Ａ幢",
    ],
)
def test_a_unique_match_resolves_even_without_the_district(standard, variant: str) -> None:
    assert addresses(variant).outcome == "pass"


@pytest.mark.django_db
def test_the_same_road_and_number_in_two_districts_goes_to_review_with_the_candidates(standard) -> None:
    result = addresses("深圳市深南大道9988号")
    assert result.outcome == "review"
    [finding] = result.findings
    assert finding.rule == "ambiguous_address"
    assert {c["code"] for c in finding.evidence["candidates"]} == {"NS-3", "FT-1"}
    assert all(0 < c["score"] < 1 for c in finding.evidence["candidates"])
    assert addresses("深圳市福田区深南大道9988号").outcome == "pass"


@pytest.mark.django_db
def test_a_district_that_does_not_match_goes_to_review(standard) -> None:
    result = addresses("深圳市罗湖区福华一路6号免税商务大厦")
    [finding] = result.findings
    assert (finding.rule, finding.outcome, finding.evidence["reason"]) == (
        "ambiguous_address",
        "review",
        "other_district",
    )
    assert [c["code"] for c in finding.evidence["candidates"]] == ["FT-2"]


@pytest.mark.django_db
def test_no_match_rejects_as_not_standard(standard) -> None:
    result = addresses("深圳市南山区科苑路15号科兴科学园Z栋")
    assert [f.rule for f in result.findings] == ["not_standard"]
    assert result.findings[0].evidence["parsed"]["road"] == "科苑路"


@pytest.mark.django_db
def test_a_negative_list_entry_has_a_reason_legal_basis_and_optional_expiry(standard) -> None:
    list_import(
        kind=ADDRESS_BLACKLIST,
        text=(
            "address,reason,expires_on,legal_basis\n"
            "FT-2,违章建筑,,《城乡规划法》第六十四条\n"
            "南山区科苑路15号科兴科学园B栋,临时查封,2020-01-31,\n"
        ),
        publish=True,
    )
    result = addresses("福田区福华一路6号免税商务大厦")
    [finding] = result.findings
    assert finding.rule == "blacklisted"
    assert finding.evidence["legal_basis"] == "《城乡规划法》第六十四条"
    assert "依据" in finding.message
    assert finding.entry.to_dict() == {
        "list": ADDRESS_BLACKLIST,
        "version": 1,
        "line": 2,
        "id": "FT-2",
        "scope": "national",
    }
    # Expired: no longer blocks, but it did on a replay as of before the expiry.
    assert addresses("科苑路15号科兴科学园B栋").outcome == "pass"
    before_expiry = datetime.datetime(2020, 1, 15, tzinfo=datetime.UTC)
    assert addresses("科苑路15号科兴科学园B栋", as_of=before_expiry).outcome == "reject"


@pytest.mark.django_db
def test_bad_expiry_dates_are_reported_by_line(standard) -> None:
    from rules.services import ImportFailed

    with pytest.raises(ImportFailed) as caught:
        list_import(kind=ADDRESS_BLACKLIST, text="address,reason,expires_on\nFT-2,违章建筑,31/01/2020\n")
    assert caught.value.errors == [(2, "expires_on '31/01/2020' is not a date like 2024-05-31")]


@pytest.mark.django_db
def test_more_companies_than_the_threshold_at_one_address_goes_to_review(standard) -> None:
    list_import(
        kind=ENTERPRISES,
        text=(
            "name,credit_code,address,status\n"
            "深圳市甲乙科技有限公司,91440300MA5G00001W,南山区科苑路15号科兴科学园A栋101,存续\n"
            "深圳市丙丁科技有限公司,91440300MA5FUTXB8W,科苑路15号科兴科学园A座102,\n"
            "深圳市戊己科技有限公司,91440300MA5G000020,科苑路15号科兴科学园A栋103,注销\n"
        ),
        publish=True,
    )
    list_import(
        kind=ADDRESS_CONCENTRATION,
        text="threshold,address,reason\n2,,\n100,NS-2,孵化器\n",
        publish=True,
    )
    assert addresses("科苑路15号科兴科学园A栋1201").outcome == "pass"  # 2 active, not more than 2
    enterprise_register(
        name="深圳市庚辛科技有限公司", credit_code="91440300MA5G000033", address="南山区科苑路15号科兴科学园A栋8楼"
    )
    result = addresses("科苑路15号科兴科学园A栋1201")
    [finding] = result.findings
    assert (finding.rule, finding.outcome) == ("concentrated_address", "review")
    assert {k: finding.evidence[k] for k in ("registered", "from_list", "from_registrations", "threshold")} == {
        "registered": 3,
        "from_list": 2,
        "from_registrations": 1,
        "threshold": 2,
    }
    assert "集中登记" in finding.message
    assert result.versions == {
        STANDARD_ADDRESSES: 1,
        ADDRESS_BLACKLIST: 0,
        ADDRESS_CONCENTRATION: 1,
        ENTERPRISES: 1,
    }
