"""Checks on identity numbers and phones shared by the simulators, and the masks that keep
personal data out of every message and log line."""

import re

from stdnum.cn import ric, uscc

# The ID number rules are the platform's own foundation code (no Django, no platform app), shared
# so that the registry and the platform never disagree on which numbers exist.
from rules.identifiers import id_number_birth_date, region_code_known

MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def mask_id_number(value: str) -> str:
    """First 6 (region) and last 4 characters; anything too short to mask safely is hidden."""
    value = value.strip()
    if len(value) < 14:
        return "*" * len(value) if value else ""
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_phone(value: str) -> str:
    value = value.strip()
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid resident ID number (GB 11643), or None when it is.

    The platform's rules (``rules.identifiers``): length, digits, MOD 11-2 check character, a
    real birth date not in the future, and a region code that existed in some period, not
    necessarily the birth year (numbers are re-issued after districts are created). The reason
    never repeats the number.
    """
    number = id_number_normalize(value)
    if len(number) != 18:
        return "ID number must have 18 characters / 身份证号码应为18位"
    if not number[:-1].isdigit() or not number[:-1].isascii() or not (number[-1].isdigit() or number[-1] == "X"):
        return "ID number has invalid characters / 身份证号码含有非法字符"
    if number[-1] != ric.calc_check_digit(number):
        return "ID number check digit is wrong / 身份证号码校验位错误"
    if id_number_birth_date(number) is None:
        return "ID number has an impossible birth date / 身份证号码出生日期无效"
    if not region_code_known(number[:6]):
        return "ID number has a region code that never existed / 身份证号码地区码不存在"
    return None


def id_number_normalize(value: str) -> str:
    """The registry form: no surrounding space, check character ``x`` uppercased."""
    stripped = value.strip()
    # ric.compact also folds Unicode look-alikes; plain ASCII (nearly every row) skips that cost.
    return stripped.upper() if stripped.isascii() else ric.compact(stripped)


def mobile_problem(value: str) -> str | None:
    if not MOBILE_RE.fullmatch(value.strip()):
        return "phone must be an 11-digit mainland mobile number / 手机号码应为11位大陆手机号"
    return None


def credit_code_problem(value: str) -> str | None:
    if not uscc.is_valid(value):
        return "not a valid unified social credit code / 统一社会信用代码无效"
    return None
