"""Checks on identity numbers and phones shared by the simulators, and the masks that keep
personal data out of every message and log line."""

import datetime
import re

from stdnum import numdb
from stdnum.cn import ric, uscc

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


# ``ric.validate`` spends most of its time searching numdb for the birth place, and a bulk
# import of 100k citizens asks about the same few thousand region prefixes again and again. The
# lookup is cached per prefix; the year test below is the one ``ric.get_birth_place`` applies.
_ALWAYS = ((None, None),)
_REGION_CACHE: dict[str, tuple[tuple[int | None, int | None], ...]] = {}


def _region_years(prefix: str) -> tuple[tuple[int | None, int | None], ...]:
    """The birth-year windows in which ``prefix`` was an assigned county code (empty: never)."""
    windows = _REGION_CACHE.get(prefix)
    if windows is None:
        results = numdb.get("cn/loc").info(prefix)
        info = {key: value for _part, props in results for key, value in props.items()}
        found: list[tuple[int | None, int | None]] = []
        # python-stdnum itself raises KeyError on the few prefixes that lack county data.
        for county in info.get("county", "").split(",") if info.get("county") else []:
            if not county.startswith("["):
                found = list(_ALWAYS)
                break
            start, end = county[1:].split("]")[0].split("-")
            found.append((int(start) if start else None, int(end) if end else None))
        windows = tuple(found)
        _REGION_CACHE[prefix] = windows
    return windows


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid resident ID number (GB 11643), or None when it is.

    The checks of ``stdnum.cn.ric.validate`` (length, digits, MOD 11-2 check character, birth
    date, birth place), faster for bulk use; the reason never repeats the number.
    """
    number = id_number_normalize(value)
    if len(number) != 18:
        return "ID number must have 18 characters / 身份证号码应为18位"
    if not number[:-1].isdigit() or not number[:-1].isascii() or not (number[-1].isdigit() or number[-1] == "X"):
        return "ID number has invalid characters / 身份证号码含有非法字符"
    if number[-1] != ric.calc_check_digit(number):
        return "ID number check digit is wrong / 身份证号码校验位错误"
    year = int(number[6:10])
    try:
        datetime.date(year, int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "ID number has an impossible birth date / 身份证号码出生日期无效"
    windows = _region_years(number[:6])
    if not any((start is None or year >= start) and (end is None or year <= end) for start, end in windows):
        return "ID number has an unknown region code / 身份证号码地区码无效"
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
