"""Identity-number checks, masks, and the credit-code generator."""

import datetime

import pytest
from faker import Faker
from hypothesis import given
from hypothesis import strategies as st
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


def test_id_check_agrees_with_stdnum():
    fake = Faker("zh_CN")
    fake.seed_instance(11)
    numbers = [fake.ssn() for _ in range(3000)]
    numbers += [number[:-1] + "0" for number in numbers[:300]]
    numbers += [number.lower() for number in numbers[:300]]
    numbers += ["", "123", "44030519900307123", "4403051990030712345", "44030519901301123X", "A40305199003071236"]
    for number in numbers:
        assert (id_number_problem(number) is None) == _ric_valid(number), number


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
