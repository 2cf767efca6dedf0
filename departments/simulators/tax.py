"""Tax (税务): tax registration and the first invoice quota (申领发票)."""

import datetime
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from departments.models import TaxRegistration, TaxRequest
from departments.simulators import Done, Outcome, Refused, Simulator, create_unless_taken, register
from departments.simulators.common import (
    CreditCodeField,
    IdNumberField,
    MobileField,
    application_id_field,
    district_of,
    local_iso,
    money_field,
    name_field,
    person_name_field,
)

TAXPAYER_TYPE = "小规模纳税人"
INVOICE_TYPE = "增值税普通发票（电子）"
# (registered capital below, invoices a month, highest amount on one invoice): a new small-scale
# taxpayer starts with the 10,000-yuan invoice version; larger capital earns a larger quota.
_INVOICE_TIERS: list[tuple[Decimal | None, int, Decimal]] = [
    (Decimal("1000000"), 25, Decimal("10000.00")),
    (Decimal("10000000"), 50, Decimal("100000.00")),
    (None, 100, Decimal("100000.00")),
]


def tax_authority_of(address: str) -> str:
    district = district_of(address)
    if district is None:
        return "国家税务总局深圳市税务局"
    return f"国家税务总局深圳市{district[0]}税务局"


def invoice_quota_for(*, registered_capital: Decimal) -> tuple[int, Decimal]:
    for below, monthly_count, max_amount in _INVOICE_TIERS:
        if below is None or registered_capital < below:
            return monthly_count, max_amount
    raise AssertionError("the last invoice tier is open-ended")


class _CompanyInput(serializers.Serializer):
    name = name_field()
    address = serializers.CharField(max_length=500)
    business_scope = serializers.CharField(max_length=2000)
    registered_capital = money_field()


class _PersonInput(serializers.Serializer):
    name = person_name_field()
    id_number = IdNumberField()
    phone = MobileField()


class TaxInput(serializers.Serializer):
    application_id = application_id_field()
    credit_code = CreditCodeField()
    company = _CompanyInput()
    legal_representative = _PersonInput()


_ALREADY_REGISTERED = Refused(
    reason="该纳税人已办理税务登记",
    reason_en="This taxpayer is already registered for tax",
)


@register("tax", verbose_name="税务 / tax")
class Tax(Simulator):
    request_model = TaxRequest
    input_serializer = TaxInput

    def process(self, *, data: dict[str, Any], now: datetime.datetime) -> Outcome:
        company = data["company"]
        monthly_count, max_amount = invoice_quota_for(registered_capital=company["registered_capital"])
        registration = create_unless_taken(
            TaxRegistration,
            application_id=data["application_id"],
            taxpayer_id=data["credit_code"],
            company_name=company["name"],
            address=company["address"],
            tax_authority=tax_authority_of(company["address"]),
            taxpayer_type=TAXPAYER_TYPE,
            registered_capital=company["registered_capital"],
            invoice_type=INVOICE_TYPE,
            invoice_monthly_count=monthly_count,
            invoice_max_amount=max_amount,
            legal_representative_name=data["legal_representative"]["name"],
            legal_representative_phone=data["legal_representative"]["phone"],
            registered_at=now,
        )
        if registration is None:
            return _ALREADY_REGISTERED
        return Done(
            {
                "taxpayer_id": registration.taxpayer_id,
                "tax_authority": registration.tax_authority,
                "taxpayer_type": registration.taxpayer_type,
                "invoice_quota": {
                    "invoice_type": registration.invoice_type,
                    "monthly_count": registration.invoice_monthly_count,
                    "max_amount": f"{registration.invoice_max_amount:.2f}",
                },
                "registered_at": local_iso(now),
            }
        )
