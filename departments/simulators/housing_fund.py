"""Housing provident fund (住房公积金): the employer's deposit account."""

import datetime
from typing import Any

from rest_framework import serializers

from departments.models import HousingFundAccount, HousingFundRequest
from departments.simulators import Done, Outcome, Refused, Simulator, create_unless_taken, register
from departments.simulators.common import (
    CreditCodeField,
    application_id_field,
    employees_field,
    local_iso,
    name_field,
)

CENTER = "深圳市住房公积金管理中心"
# Account numbers are 12 digits: the centre's prefix, then the register's sequence.
_ACCOUNT_PREFIX = "2003"


class _CompanyInput(serializers.Serializer):
    name = name_field()
    employees = employees_field()


class HousingFundInput(serializers.Serializer):
    application_id = application_id_field()
    credit_code = CreditCodeField()
    company = _CompanyInput()


_ALREADY_OPEN = Refused(
    reason="该单位已开立住房公积金账户",
    reason_en="This employer already has a housing provident fund account",
)


@register("housing_fund", verbose_name="公积金 / housing fund")
class HousingFund(Simulator):
    request_model = HousingFundRequest
    input_serializer = HousingFundInput

    def process(self, *, data: dict[str, Any], now: datetime.datetime) -> Outcome:
        company = data["company"]
        account = create_unless_taken(
            HousingFundAccount,
            application_id=data["application_id"],
            credit_code=data["credit_code"],
            company_name=company["name"],
            # The address is not shared with this department (least privilege), so the account
            # is kept by the centre rather than a district office.
            center=CENTER,
            employees=company["employees"],
            registered_at=now,
        )
        if account is None:
            return _ALREADY_OPEN
        account.account_number = f"{_ACCOUNT_PREFIX}{account.pk:08d}"
        account.save(update_fields=["account_number"])
        return Done(
            {
                "account_number": account.account_number,
                "center": account.center,
                "registered_at": local_iso(now),
            }
        )
