"""Identity-number checks, masks, and the credit-code generator."""

import datetime

import pytest
from faker import Faker
from hypothesis import given
from hypothesis import strategies as st
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from departments.simulators.common import SHENZHEN_TZ, district_of, within_office_hours
from departments.simulators.market_regulation import (
    credit_code_issue,
    organization_check_character,
    organization_code,
)
from departments.validation import id_number_problem, mask_id_number, mask_phone


def _ric_valid(number: str) -> bool:
    try:
        ric.validate(number)
    except (ValidationError, KeyError):
        return False
    return True


def _valid_in_some_period(number: str) -> bool:
    """python-stdnum's checks, except that the region code may be younger than the birth date."""
    try:
        ric.validate(number)
    except ValidationError:
        compact = ric.compact(number)
        try:
            # Everything but the birth place holds, and the code names a county in some period.
            if len(compact) != 18 or not compact[:-1].isdigit() or compact[-1] != ric.calc_check_digit(compact):
                return False
            ric.get_birth_date(compact)
        except ValidationError:
            return False
        info = {k: v for _p, props in numdb.get("cn/loc").info(compact[:6]) for k, v in props.items()}
        return bool(info.get("county"))
    except KeyError:
        return False
    return True


def test_id_check_agrees_with_stdnum_except_for_the_birth_year_of_the_region_code():
    fake = Faker("zh_CN")
    fake.seed_instance(11)
    numbers = [fake.ssn() for _ in range(3000)]
    numbers += [number[:-1] + "0" for number in numbers[:300]]
    numbers += [number.lower() for number in numbers[:300]]
    numbers += ["", "123", "44030519900307123", "4403051990030712345", "44030519901301123X", "A40305199003071236"]
    relaxed = 0
    for number in numbers:
        accepted = id_number_problem(number) is None
        assert accepted == _valid_in_some_period(number), number
        if _ric_valid(number):
            assert accepted, number  # everything python-stdnum accepts is accepted
        relaxed += accepted and not _ric_valid(number)
    assert relaxed > 100  # Faker pairs codes with years before they existed about half the time


def _with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


@pytest.mark.parametrize(
    "number",
    [
        _with_check("31011519880412123"),  # Pudong New Area, created 1992; born 1988
        _with_check("44030719850101123"),  # Longgang District, created 1992; born 1985
        _with_check("44030519820101123"),  # Nanshan: 南头区 (1983-1989) then 南山区 (1990-)
    ],
)
def test_a_region_code_younger_than_the_person_is_accepted(number):
    assert not _ric_valid(number)  # python-stdnum's birth-year rule would refuse it
    assert id_number_problem(number) is None


def test_a_region_code_that_never_existed_is_refused():
    assert id_number_problem(_with_check("99999919880412123")) == (
        "ID number has a region code that never existed / 身份证号码地区码不存在"
    )
    assert id_number_problem(_with_check("44039919880412123")) is not None  # 440399: no such district


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = datetime.datetime.now(SHENZHEN_TZ).date() + datetime.timedelta(days=1)
    number = _with_check(f"440305{tomorrow:%Y%m%d}123")
    assert id_number_problem(number) == "ID number has an impossible birth date / 身份证号码出生日期无效"
    today = datetime.datetime.now(SHENZHEN_TZ).date() - datetime.timedelta(days=1)
    assert id_number_problem(_with_check(f"440305{today:%Y%m%d}123")) is None


@given(st.text(alphabet="0123456789Xx ", max_size=20))
def test_id_check_never_crashes_and_agrees(number):
    assert (id_number_problem(number) is None) == _ric_valid(number)


@given(st.integers(min_value=1, max_value=10**8 - 1), st.sampled_from(["440304", "440305", "440300"]))
def test_every_issued_credit_code_is_valid(sequence, region):
    code = credit_code_issue(sequence=sequence, region_code=region)
    assert uscc.is_valid(code)
    assert code.startswith("91" + region)


def test_organisation_codes_never_collide():
    codes = {organization_code(sequence=sequence) for sequence in range(1, 50_001)}
    assert len(codes) == 50_000


def test_organisation_code_check_character():
    # The organisation code inside a real credit code (stdnum's example 91110000600037341L).
    assert organization_check_character("60003734") == "1"
    code = organization_code(sequence=1)
    assert code[8] == organization_check_character(code[:8])


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("440305199003071236", "440305********1236"),
        ("123", "***"),
        ("", ""),
    ],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


def test_mask_phone():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("12345") == "*****"


def test_district_lookup():
    assert district_of("深圳市南山区粤海街道")[2] == "440305"
    assert district_of("深圳市大鹏新区葵涌街道")[0] == "大鹏新区"
    assert district_of("深圳市福田中心区")[0] == "福田区"
    assert district_of("广州市天河区") is None


def test_office_hours():
    opens, closes = datetime.time(9), datetime.time(18)
    saturday_noon = datetime.datetime(2026, 11, 21, 12, tzinfo=SHENZHEN_TZ)
    assert within_office_hours(saturday_noon, opens=opens, closes=closes) == datetime.datetime(
        2026, 11, 23, 9, tzinfo=SHENZHEN_TZ
    )
    monday_early = datetime.datetime(2026, 11, 23, 7, tzinfo=SHENZHEN_TZ)
    assert within_office_hours(monday_early, opens=opens, closes=closes).hour == 9
    monday_late = datetime.datetime(2026, 11, 23, 20, tzinfo=SHENZHEN_TZ)
    assert within_office_hours(monday_late, opens=opens, closes=closes).day == 24
