"""What the simulated departments share: Shenzhen's districts, working hours and input fields."""

import datetime
import zlib
import zoneinfo
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from departments.validation import (
    credit_code_problem,
    id_number_normalize,
    id_number_problem,
    mobile_problem,
)

# The departments are Shenzhen offices: their clocks, slots and stamps are Beijing time whatever
# the platform's own time zone setting is.
SHENZHEN_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


# --- geography ------------------------------------------------------------------------------
# (full name, short name, administrative division code). Dapeng New Area is a functional area
# without its own division code; its companies are registered under Longgang's.
DISTRICTS: list[tuple[str, str, str]] = [
    ("福田区", "福田", "440304"),
    ("罗湖区", "罗湖", "440303"),
    ("南山区", "南山", "440305"),
    ("盐田区", "盐田", "440308"),
    ("宝安区", "宝安", "440306"),
    ("龙岗区", "龙岗", "440307"),
    ("龙华区", "龙华", "440309"),
    ("坪山区", "坪山", "440310"),
    ("光明区", "光明", "440311"),
    ("大鹏新区", "大鹏", "440307"),
]
SHENZHEN_REGION_CODE = "440300"


def district_of(address: str) -> tuple[str, str, str] | None:
    """The district an address lies in, by its full name first, then its short name."""
    for district in DISTRICTS:
        if district[0] in address:
            return district
    for district in DISTRICTS:
        if district[1] in address:
            return district
    return None


def region_code_of(address: str) -> str:
    district = district_of(address)
    return district[2] if district else SHENZHEN_REGION_CODE


# --- time -----------------------------------------------------------------------------------
def local_iso(moment: datetime.datetime) -> str:
    return moment.astimezone(SHENZHEN_TZ).isoformat(timespec="seconds")


def is_working_day(day: datetime.date) -> bool:
    # Public holidays are left out: the simulators only need a believable calendar.
    return day.weekday() < 5


def next_working_day(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def within_office_hours(moment: datetime.datetime, *, opens: datetime.time, closes: datetime.time) -> datetime.datetime:
    """``moment`` if the office is open then, otherwise its next opening time."""
    local = moment.astimezone(SHENZHEN_TZ)
    if is_working_day(local.date()) and opens <= local.time() <= closes:
        return local
    day = local.date()
    if not (is_working_day(day) and local.time() < opens):
        day = next_working_day(day)
    return datetime.datetime.combine(day, opens, tzinfo=SHENZHEN_TZ)


# --- input fields ---------------------------------------------------------------------------
class IdNumberField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        problem = id_number_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return id_number_normalize(value)


class MobileField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        problem = mobile_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class CreditCodeField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data).upper()
        problem = credit_code_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


def money_field() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))


def application_id_field() -> serializers.CharField:
    return serializers.CharField(max_length=64)


def name_field() -> serializers.CharField:
    return serializers.CharField(max_length=200)


def person_name_field() -> serializers.CharField:
    return serializers.CharField(max_length=64)


def employees_field() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=1_000_000)


def pick(options: list[str], *, key: str) -> str:
    """A stable choice for ``key``: the same company always lands at the same bank or maker."""
    return options[zlib.crc32(key.encode()) % len(options)]
