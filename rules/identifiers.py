"""Checksummed identifiers: resident ID numbers (GB 11643) and credit codes (GB 32100).

python-stdnum does the arithmetic; this module only turns its exceptions into reasons an
applicant or administrator can act on, in Chinese and English, with the ID number masked.
"""

from __future__ import annotations

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from rules.privacy import mask_id_number


class IdentifierInvalid(ValueError):
    def __init__(self, reason_en: str, reason_zh: str, problem: str) -> None:
        super().__init__(reason_en)
        self.reason_en = reason_en
        self.reason_zh = reason_zh
        self.problem = problem  # machine-readable: length | format | checksum | component


def canonical_id_number(value: str) -> str:
    """Uppercase, without separators: a lowercase check character x is the same number."""
    return ric.compact(value or "")


def validate_id_number(value: str) -> str:
    """Return the canonical ID number or raise IdentifierInvalid (whose message is masked)."""
    number = canonical_id_number(value)
    masked = mask_id_number(number)
    try:
        return ric.validate(number)
    except stdnum_errors.InvalidLength:
        raise IdentifierInvalid(
            f"ID number {masked} must have 18 characters",
            f"身份证号码 {masked} 应为 18 位",
            "length",
        ) from None
    except stdnum_errors.InvalidChecksum:
        raise IdentifierInvalid(
            f"ID number {masked} has a wrong check digit",
            f"身份证号码 {masked} 校验位错误",
            "checksum",
        ) from None
    except stdnum_errors.InvalidComponent:
        raise IdentifierInvalid(
            f"ID number {masked} has an invalid birth date or region code",
            f"身份证号码 {masked} 的出生日期或地区码无效",
            "component",
        ) from None
    except stdnum_errors.ValidationError:
        raise IdentifierInvalid(
            f"ID number {masked} is not well formed",
            f"身份证号码 {masked} 格式错误",
            "format",
        ) from None


def validate_credit_code(value: str) -> str:
    """Return the canonical unified social credit code or raise IdentifierInvalid."""
    code = uscc.compact(value or "").upper()
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
