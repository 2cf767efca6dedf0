from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from rules.identifiers import IdentifierInvalid, is_mobile_number, validate_credit_code, validate_id_number
from rules.privacy import mask_id_number, mask_phone

REGIONS = st.sampled_from(["110105", "440305", "440304", "320000", "430525"])
BIRTH_DATES = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2008, 12, 31))
SERIALS = st.integers(min_value=0, max_value=999)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_with_check(region: str, born: datetime.date, serial: int) -> str:
    body = f"{region}{born:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


@settings(deadline=None)  # CI machines also run Celery workers; time is not the property
@given(REGIONS, BIRTH_DATES, SERIALS)
def test_numbers_with_the_right_check_character_are_valid(region: str, born: datetime.date, serial: int) -> None:
    number = id_with_check(region, born, serial)
    assert validate_id_number(number.lower()) == number


@settings(deadline=None)  # CI machines also run Celery workers; time is not the property
@given(REGIONS, BIRTH_DATES, SERIALS, st.sampled_from("0123456789X"))
def test_any_other_check_character_is_caught(region: str, born: datetime.date, serial: int, check: str) -> None:
    number = id_with_check(region, born, serial)
    if check == number[-1]:
        return
    with pytest.raises(IdentifierInvalid) as caught:
        validate_id_number(number[:-1] + check)
    assert caught.value.problem == "checksum"
    assert number[6:14] not in str(caught.value)  # the birth date is masked away


@settings(deadline=None)  # CI machines also run Celery workers; time is not the property
@given(REGIONS, BIRTH_DATES, SERIALS, st.integers(min_value=0, max_value=16))
def test_a_single_mistyped_digit_is_caught(region: str, born: datetime.date, serial: int, position: int) -> None:
    # MOD 11-2 detects every single-digit substitution.
    number = id_with_check(region, born, serial)
    wrong = str((int(number[position]) + 1) % 10)
    with pytest.raises(IdentifierInvalid):
        validate_id_number(number[:position] + wrong + number[position + 1 :])


@settings(deadline=None)  # CI machines also run Celery workers; time is not the property
@given(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
def test_credit_codes_with_the_right_check_character_are_valid(org: str) -> None:
    body = "91440300" + org
    code = body + uscc.calc_check_digit(body)
    assert validate_credit_code(code.lower()) == code
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(code[-1]) + 1) % 31]
    with pytest.raises(IdentifierInvalid):
        validate_credit_code(body + wrong)


@settings(deadline=None)  # CI machines also run Celery workers; time is not the property
@given(st.text(alphabet="0123456789X", max_size=30))
def test_masking_never_reveals_more_than_ten_characters(value: str) -> None:
    masked = mask_id_number(value)
    shown = masked.replace("********", "", 1)
    assert len(shown) <= 10
    assert len(shown) <= len(value) // 2 + 1
    if value.strip():
        assert "********" in masked


def test_mask_formats() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id_number("") == ""


@pytest.mark.parametrize(
    "body",
    [
        "31011519880412123",  # Pudong New Area (created 1992), born 1988
        "44030719850101123",  # Longgang District (created 1992), born 1985
    ],
)
def test_a_region_code_younger_than_the_person_is_valid(body: str) -> None:
    number = body + ric.calc_check_digit(body + "0")
    assert not ric.is_valid(number)  # python-stdnum also demands the code existed in the birth year
    assert validate_id_number(number) == number


def test_a_region_code_that_never_existed_is_invalid() -> None:
    body = "99999919880412123"
    with pytest.raises(IdentifierInvalid) as caught:
        validate_id_number(body + ric.calc_check_digit(body + "0"))
    assert caught.value.problem == "component"
    assert "region code" in caught.value.reason_en and "地区码" in caught.value.reason_zh


def test_a_birth_date_in_the_future_is_invalid() -> None:
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    body = f"440305{tomorrow:%Y%m%d}123"
    with pytest.raises(IdentifierInvalid) as caught:
        validate_id_number(body + ric.calc_check_digit(body + "0"))
    assert caught.value.problem == "component"


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("13800138000", True),
        ("19912345678", True),
        ("12800138000", False),
        ("1380013800", False),
        ("13800138000\n", False),
    ],
)
def test_a_mobile_number_is_eleven_digits_starting_1_then_3_to_9(value, valid):
    assert is_mobile_number(value) is valid
