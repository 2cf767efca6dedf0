"""Social security (社保): employer registration with the social-insurance fund."""

import datetime
from typing import Any

from rest_framework import serializers

from departments.models import SocialSecurityAccount, SocialSecurityRequest
from departments.simulators import Done, Outcome, Refused, Simulator, create_unless_taken, register
from departments.simulators.common import (
    CreditCodeField,
    application_id_field,
    district_of,
    employees_field,
    local_iso,
    name_field,
    person_name_field,
    region_code_of,
)


def office_of(address: str) -> str:
    district = district_of(address)
    if district is None:
        return "深圳市社会保险基金管理局"
    return f"深圳市社会保险基金管理局{district[1]}分局"


class _CompanyInput(serializers.Serializer):
    name = name_field()
    address = serializers.CharField(max_length=500)
    employees = employees_field()


class _PersonInput(serializers.Serializer):
    name = person_name_field()


class SocialSecurityInput(serializers.Serializer):
    application_id = application_id_field()
    credit_code = CreditCodeField()
    company = _CompanyInput()
    legal_representative = _PersonInput()


_ALREADY_REGISTERED = Refused(
    reason="该单位已办理社会保险登记",
    reason_en="This employer is already registered for social security",
)


@register("social_security", verbose_name="人社 / social security")
class SocialSecurity(Simulator):
    request_model = SocialSecurityRequest
    input_serializer = SocialSecurityInput

    def process(self, *, data: dict[str, Any], now: datetime.datetime) -> Outcome:
        company = data["company"]
        account = create_unless_taken(
            SocialSecurityAccount,
            application_id=data["application_id"],
            credit_code=data["credit_code"],
            company_name=company["name"],
            office=office_of(company["address"]),
            employees=company["employees"],
            legal_representative_name=data["legal_representative"]["name"],
            registered_at=now,
        )
        if account is None:
            return _ALREADY_REGISTERED
        # Employer number: the division code of the office, then the register's sequence.
        account.account_number = f"{region_code_of(company['address'])}{account.pk:08d}"
        account.save(update_fields=["account_number"])
        return Done(
            {
                "account_number": account.account_number,
                "office": account.office,
                "registered_at": local_iso(now),
            }
        )
