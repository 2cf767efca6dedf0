"""Name uniqueness per registration authority, cancelled names held for a year (SAMR order 82)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from rules.engine import Ports, Subject, check_library
from rules.lists import ENTERPRISES
from rules.models import ListEntry, RegisteredEnterprise
from rules.services import ImportFailed, enterprise_cancel, enterprise_register, list_import

pytestmark = pytest.mark.django_db

NANSHAN = "440305"
FUTIAN = "440304"
CODE_NANSHAN = "91440305MA5FUTXB8X"
CODE_FUTIAN = "91440304MA5FUTXB80"


def _valid(code: str) -> str:
    from stdnum.cn import uscc

    return code[:17] + uscc.calc_check_digit(code[:17])


def names(name: str, *, authority: str):
    return check_library("names", Subject(company_name=name, address="", authority=authority), ports=Ports())


def rules_of(result) -> list[str]:
    return [f.rule for f in result.findings]


@pytest.fixture
def nanshan_company() -> str:
    code = _valid(CODE_NANSHAN)
    enterprise_register(name="深圳市云帆科技有限公司", credit_code=code, authority=NANSHAN)
    return code


def test_the_same_name_is_barred_at_the_same_authority_only(nanshan_company) -> None:
    same = names("深圳市云帆科技有限公司", authority=NANSHAN)
    assert rules_of(same) == ["identical_name"]
    assert same.findings[0].evidence["registration_authority"] == NANSHAN
    # The city's authority shares Nanshan's register (one contains the other).
    assert rules_of(names("深圳市云帆科技有限公司", authority="440300")) == ["identical_name"]

    elsewhere = names("深圳市云帆科技有限公司", authority=FUTIAN)
    assert elsewhere.outcome == "pass"
    [advice] = elsewhere.findings
    assert advice.rule == "similar_name_elsewhere" and advice.outcome == "pass"
    assert advice.evidence["similar"][0]["authority"] == NANSHAN
    assert advice.evidence["similar"][0]["credit_code"] == nanshan_company


def test_the_same_trade_name_in_the_same_industry_is_barred_at_the_same_authority_only(nanshan_company) -> None:
    assert rules_of(names("深圳市云帆网络科技有限公司", authority=NANSHAN)) == ["same_trade_name"]
    assert rules_of(names("深圳市云帆网络科技有限公司", authority=FUTIAN)) == ["similar_name_elsewhere"]
    # Similar (homophone) names are reviewed at the same authority, only listed elsewhere.
    assert rules_of(names("深圳市芸帆科技有限公司", authority=NANSHAN)) == ["similar_name"]
    assert rules_of(names("深圳市芸帆科技有限公司", authority=FUTIAN)) == ["similar_name_elsewhere"]


def test_a_name_cancelled_less_than_a_year_ago_is_still_held(nanshan_company) -> None:
    now = timezone.now()
    enterprise_cancel(credit_code=nanshan_company, cancelled_at=now - datetime.timedelta(days=200))
    held = names("深圳市云帆科技有限公司", authority=NANSHAN)
    assert rules_of(held) == ["identical_name"]
    assert held.findings[0].evidence["existing"]["status"] == "cancelled"
    assert "注销未满一年" in held.findings[0].message

    RegisteredEnterprise.objects.filter(credit_code=nanshan_company).update(
        cancelled_at=now - datetime.timedelta(days=400)
    )
    assert names("深圳市云帆科技有限公司", authority=NANSHAN).findings == ()


def test_a_replay_before_the_cancellation_sees_the_company_active(nanshan_company) -> None:
    before = timezone.now()
    enterprise_cancel(credit_code=nanshan_company, cancelled_at=before + datetime.timedelta(minutes=1))
    replay = check_library(
        "names",
        Subject(company_name="深圳市云帆科技有限公司", address="", authority=NANSHAN),
        ports=Ports(),
        as_of=before,
    )
    assert rules_of(replay) == ["identical_name"]
    assert "status" not in replay.findings[0].evidence["existing"]


def test_the_register_list_carries_authority_status_and_cancellation_date() -> None:
    old = (timezone.localdate() - datetime.timedelta(days=500)).isoformat()
    recent = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    list_import(
        kind=ENTERPRISES,
        text=(
            "name,credit_code,status,cancelled_on,authority\n"
            f"深圳市星河科技有限公司,{_valid(CODE_NANSHAN)},注销,{old},\n"
            f"深圳市银河科技有限公司,{_valid(CODE_FUTIAN)},注销,{recent},440305\n"
        ),
        publish=True,
    )
    authorities = {e.data["name"]: e.data["authority"] for e in ListEntry.objects.all()}
    assert authorities == {"深圳市星河科技有限公司": NANSHAN, "深圳市银河科技有限公司": NANSHAN}
    assert names("深圳市星河科技有限公司", authority=NANSHAN).findings == ()  # cancelled over a year ago
    assert rules_of(names("深圳市银河科技有限公司", authority=NANSHAN)) == ["identical_name"]

    with pytest.raises(ImportFailed, match="not a cancellation"):
        list_import(
            kind=ENTERPRISES,
            text=f"name,credit_code,status,cancelled_on\n深圳市甲乙科技有限公司,{_valid(CODE_NANSHAN)},存续,{old}\n",
        )
    with pytest.raises(ImportFailed, match="authority"):
        list_import(
            kind=ENTERPRISES, text=f"name,credit_code,authority\n深圳市甲乙科技有限公司,{_valid(CODE_NANSHAN)},999999\n"
        )


def test_a_registration_takes_its_authority_from_its_address_or_credit_code() -> None:
    list_import(
        kind="standard_addresses",
        text="code,full_address\nSZ-FT-1,深圳市福田区福田街道福华一路6号免税商务大厦\n",
        publish=True,
    )
    enterprise_register(
        name="深圳市甲乙科技有限公司", credit_code=_valid(CODE_NANSHAN), address="深圳市福田区福华一路6号免税商务大厦"
    )
    enterprise_register(name="丙丁科技有限公司", credit_code=_valid(CODE_FUTIAN))
    authorities = dict(RegisteredEnterprise.objects.values_list("name", "authority"))
    assert authorities == {"深圳市甲乙科技有限公司": FUTIAN, "丙丁科技有限公司": FUTIAN}
