"""Checksummed identifiers: resident ID numbers (GB 11643) and credit codes (GB 32100); and the
shape of a mainland mobile number, the one definition the form, the API and verification share.

python-stdnum does the arithmetic; this module only turns its exceptions into reasons an
applicant or administrator can act on, in Chinese and English, with the ID number masked.
"""

from __future__ import annotations

import datetime
import functools
import re

from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric, uscc

from rules.privacy import mask_id_number


class IdentifierInvalid(ValueError):
    def __init__(self, reason_en: str, reason_zh: str, problem: str) -> None:
        super().__init__(reason_en)
        self.reason_en = reason_en
        self.reason_zh = reason_zh
        self.problem = problem  # machine-readable: length | format | checksum | component


MOBILE_NUMBER_PATTERN = r"^1[3-9]\d{9}$"
_MOBILE_NUMBER = re.compile(MOBILE_NUMBER_PATTERN)


def is_mobile_number(value: str) -> bool:
    return bool(_MOBILE_NUMBER.fullmatch(value))


_ID_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2, as GB 11643 defines it (the same as ric.calc_check_digit)."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def canonical_id_number(value: str) -> str:
    """Uppercase, without separators: a lowercase check character x is the same number."""
    value = (value or "").strip()
    if _ID_SHAPE.fullmatch(value):
        return value.upper()  # the common, clean case: no need for python-stdnum's cleaning
    return ric.compact(value)


_CHINA = datetime.timezone(datetime.timedelta(hours=8))


@functools.lru_cache(maxsize=8192)
def region_code_known(code: str) -> bool:
    """Whether ``code`` (six digits) was a county-level division code (GB/T 2260) in any period.

    python-stdnum ships the code history in ``stdnum/cn/loc.dat``, each county with the years it
    was assigned (``[1992-]浦东新区``). ``ric.validate`` also demands that the code was assigned
    in the birth year, which refuses genuine numbers: a number carries the code of the place and
    time it was issued, and numbers were re-issued after districts were created (a person born in
    1988 can hold a Pudong New Area 310115 number). So any period will do. Cached per code: a
    bulk import asks about the same few thousand codes again and again.
    """
    if len(code) != 6 or not code.isdigit() or not code.isascii():
        return False
    info = {key: value for _part, props in numdb.get("cn/loc").info(code) for key, value in props.items()}
    return bool(info.get("county"))


def id_number_birth_date(number: str) -> datetime.date | None:
    """The birth date of a canonical 18-character number; None when it is no real date or lies in
    the future (in China's time zone, where the numbers are issued)."""
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    today = datetime.datetime.now(datetime.UTC).astimezone(_CHINA).date()
    return born if born <= today else None


def validate_id_number(value: str) -> str:
    """Return the canonical ID number or raise IdentifierInvalid (whose message is masked).

    The hard rules: length, digits, the ISO 7064 MOD 11-2 check character, a real birth date not
    in the future, and a region code that exists in some period (``region_code_known``: not
    necessarily in the birth year). The citizen registry is the authority on whether a number
    exists; this check only catches typing mistakes before asking it. The public-security
    simulator applies the same rules (``departments.validation.id_number_problem``).
    """
    number = canonical_id_number(value)
    masked = mask_id_number(number)
    if len(number) != 18:
        raise IdentifierInvalid(
            f"ID number {masked} must have 18 characters", f"身份证号码 {masked} 应为 18 位", "length"
        )
    if not number[:-1].isdigit() or not number[:-1].isascii() or number[-1] not in "0123456789X":
        raise IdentifierInvalid(f"ID number {masked} is not well formed", f"身份证号码 {masked} 格式错误", "format")
    if number[-1] != _id_check_character(number[:17]):
        raise IdentifierInvalid(
            f"ID number {masked} has a wrong check digit", f"身份证号码 {masked} 校验位错误", "checksum"
        )
    if id_number_birth_date(number) is None:
        raise IdentifierInvalid(
            f"ID number {masked} has an invalid birth date",
            f"身份证号码 {masked} 的出生日期无效",
            "component",
        )
    if not region_code_known(number[:6]):
        raise IdentifierInvalid(
            f"ID number {masked} has a region code that never existed",
            f"身份证号码 {masked} 的地区码不存在",
            "component",
        )
    return number


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _credit_check_character(code: str) -> str:
    """GB 32100 mod-31 check character (the same as uscc.calc_check_digit)."""
    total = sum(_USCC_VALUES[c] * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


_CREDIT_CODE_SHAPE = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")


def validate_credit_code(value: str) -> str:
    """Return the canonical unified social credit code or raise IdentifierInvalid."""
    code = (value or "").strip().upper()
    if _CREDIT_CODE_SHAPE.fullmatch(code):
        # Fast path for the common, clean case (bulk imports of a million codes): one check
        # character computation instead of python-stdnum cleaning the string three times.
        if _credit_check_character(code) == code[-1]:
            return code
        raise IdentifierInvalid(
            f"credit code {code!r} has a wrong check character", f"统一社会信用代码 {code} 校验位错误", "checksum"
        )
    code = uscc.compact(code)
    try:
        return uscc.validate(code)
    except stdnum_errors.InvalidLength:
        raise IdentifierInvalid(
            f"credit code {code!r} must have 18 characters", f"统一社会信用代码 {code} 应为 18 位", "length"
        ) from None
    except stdnum_errors.InvalidChecksum:
        raise IdentifierInvalid(
            f"credit code {code!r} has a wrong check character",
            f"统一社会信用代码 {code} 校验位错误",
            "checksum",
        ) from None
    except stdnum_errors.ValidationError:
        raise IdentifierInvalid(
            f"credit code {code!r} is not well formed", f"统一社会信用代码 {code} 格式错误", "format"
        ) from None
