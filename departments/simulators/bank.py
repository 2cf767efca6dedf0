"""Bank (银行): the appointment to open the company's basic deposit account (开户预约)."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from rest_framework import serializers

from departments.models import BankAppointment, BankRequest
from departments.simulators import Done, Outcome, Refused, Simulator, register
from departments.simulators.common import (
    SHENZHEN_TZ,
    CreditCodeField,
    MobileField,
    application_id_field,
    district_of,
    local_iso,
    name_field,
    next_working_day,
    person_name_field,
    pick,
)

BANKS = ["中国工商银行", "中国建设银行", "中国银行", "中国农业银行", "招商银行", "平安银行"]
# Half-hour slots from 09:00 to 16:30, each served by a few counters.
SLOT_TIMES = [datetime.time(hour, minute) for hour in range(9, 17) for minute in (0, 30)]
COUNTERS_PER_SLOT = 3
_BOOKING_HORIZON_DAYS = 30
_BOOKING_ATTEMPTS = 5


def branch_of(*, bank: str, address: str) -> str:
    district = district_of(address)
    if district is None:
        return f"{bank}深圳分行营业部"
    return f"{bank}深圳{district[1]}支行"


class _CompanyInput(serializers.Serializer):
    name = name_field()
    address = serializers.CharField(max_length=500)


class _PersonInput(serializers.Serializer):
    name = person_name_field()
    phone = MobileField()


class BankInput(serializers.Serializer):
    application_id = application_id_field()
    credit_code = CreditCodeField()
    company = _CompanyInput()
    legal_representative = _PersonInput()


_ALREADY_BOOKED = Refused(
    reason="该企业已预约开户",
    reason_en="This company already has an account-opening appointment",
)
_NO_SLOT = Refused(
    reason="近期预约已满，请稍后再试",
    reason_en="No appointment slot is free in the coming weeks; try again later",
)


def free_slot(*, branch: str, now: datetime.datetime) -> tuple[datetime.datetime, int] | None:
    """The earliest slot from the next working day on with a free counter, and that counter."""
    first_day = next_working_day(now.astimezone(SHENZHEN_TZ).date())
    first_moment = datetime.datetime.combine(first_day, SLOT_TIMES[0], tzinfo=SHENZHEN_TZ)
    booked = dict(
        BankAppointment.objects.filter(branch=branch, appointment_at__gte=first_moment)
        .values("appointment_at")
        .annotate(taken=Count("id"))
        .values_list("appointment_at", "taken")
    )
    day = first_day
    for _ in range(_BOOKING_HORIZON_DAYS):
        for slot_time in SLOT_TIMES:
            moment = datetime.datetime.combine(day, slot_time, tzinfo=SHENZHEN_TZ)
            taken = booked.get(moment, 0)
            if taken < COUNTERS_PER_SLOT:
                return moment, taken + 1
        day = next_working_day(day)
    return None


@register("bank", verbose_name="银行 / bank")
class Bank(Simulator):
    request_model = BankRequest
    input_serializer = BankInput

    def process(self, *, data: dict[str, Any], now: datetime.datetime) -> Outcome:
        company = data["company"]
        # A company already booked is found by the credit code's unique key when the booking is
        # inserted, not by a query before it.
        bank = pick(BANKS, key=data["credit_code"])
        branch = branch_of(bank=bank, address=company["address"])
        for _attempt in range(_BOOKING_ATTEMPTS):
            slot = free_slot(branch=branch, now=now)
            if slot is None:
                return _NO_SLOT
            appointment_at, counter = slot
            try:
                with transaction.atomic():
                    appointment = BankAppointment.objects.create(
                        application_id=data["application_id"],
                        credit_code=data["credit_code"],
                        company_name=company["name"],
                        bank=bank,
                        branch=branch,
                        appointment_at=appointment_at,
                        counter=counter,
                        contact_name=data["legal_representative"]["name"],
                        contact_phone=data["legal_representative"]["phone"],
                        created_at=now,
                    )
                break
            except IntegrityError:
                if BankAppointment.objects.filter(credit_code=data["credit_code"]).exists():
                    return _ALREADY_BOOKED
                # Someone took the same counter at the same moment: look for the next free one.
                continue
        else:
            return _NO_SLOT
        appointment.appointment_number = f"YY{now.astimezone(SHENZHEN_TZ):%Y%m%d}{appointment.pk:06d}"
        appointment.save(update_fields=["appointment_number"])
        return Done(
            {
                "bank": appointment.bank,
                "branch": appointment.branch,
                "appointment_at": local_iso(appointment.appointment_at),
                "appointment_number": appointment.appointment_number,
            }
        )
