"""Market regulation (市场监管): establishment registration, the enterprise register, and the
unified social credit code (GB 32100-2015)."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework import serializers
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_10

from departments.licences import entity_type_of, licence_token_issue
from departments.models import MarketEnterprise, MarketRegulationRequest, MarketShareholder
from departments.simulators import Done, Outcome, Refused, Simulator, register
from departments.simulators.common import (
    DISTRICTS,
    SHENZHEN_TZ,
    IdNumberField,
    application_id_field,
    employees_field,
    local_iso,
    money_field,
    name_field,
    person_name_field,
    region_code_of,
)

CITY_AUTHORITY = "深圳市市场监督管理局"
# Registration authority 9 (market regulation) + entity type 1 (enterprise).
_AUTHORITY_AND_TYPE = "91"
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_SPACE = 10**8
# Multiplying by a number coprime to 10 permutes [0, 10^8): the organisation codes of
# consecutive companies look unrelated, yet two sequence numbers never share one.
_ORG_CODE_MULTIPLIER = 48_271_173
_ORG_CODE_OFFSET = 31_415_926


def organization_code(*, sequence: int) -> str:
    """A 9-character GB 11714 organisation code: 8 digits and the check character."""
    if not 0 < sequence < _ORG_CODE_SPACE:
        # Beyond 10^8 registrations the body would need letters; far past any simulation.
        raise ValueError("organisation code sequence exhausted")
    body = f"{(sequence * _ORG_CODE_MULTIPLIER + _ORG_CODE_OFFSET) % _ORG_CODE_SPACE:08d}"
    return body + organization_check_character(body)


def organization_check_character(body: str) -> str:
    """GB 11714's check character for an 8-digit organisation-code body."""
    check = 11 - sum(int(char) * weight for char, weight in zip(body, _ORG_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code_issue(*, sequence: int, region_code: str) -> str:
    """The 18-character unified social credit code for the ``sequence``-th registration."""
    head = _AUTHORITY_AND_TYPE + region_code + organization_code(sequence=sequence)
    return head + uscc.calc_check_digit(head)


def registration_authority_of(region_code: str) -> str:
    """The office a company is registered with: a district's branch (监管局) or the city's bureau."""
    for _, short_name, code in DISTRICTS:
        if code == region_code:
            return f"{CITY_AUTHORITY}{short_name}监管局"
    return CITY_AUTHORITY


def license_number_issue(*, sequence: int, region_code: str) -> str:
    """The 15-digit business-licence registration number (注册号) with its ISO 7064 check."""
    head = f"{region_code}{sequence:08d}"
    return head + mod_11_10.calc_check_digit(head)


class _CompanyInput(serializers.Serializer):
    name = name_field()
    address = serializers.CharField(max_length=500)
    business_scope = serializers.CharField(max_length=2000)
    registered_capital = money_field()
    employees = employees_field()


class _PersonInput(serializers.Serializer):
    name = person_name_field()
    id_number = IdNumberField()


class _ShareholderInput(serializers.Serializer):
    name = name_field()
    id_number = IdNumberField()
    contribution = money_field()


class MarketRegulationInput(serializers.Serializer):
    application_id = application_id_field()
    company = _CompanyInput()
    legal_representative = _PersonInput()
    shareholders = _ShareholderInput(many=True, allow_empty=False)


_NAME_TAKEN = Refused(
    reason="企业名称已在本登记机关登记（含注销未满一年的企业），请更换名称",
    reason_en=(
        "The company name is already registered at this registration authority (or was, by a company "
        "cancelled less than a year ago); choose another name"
    ),
)
# A cancelled company's name stays reserved at its authority this long (SAMR order 82).
NAME_HELD_AFTER_CANCELLATION = datetime.timedelta(days=365)


def authorities_overlap(first: str, second: str) -> bool:
    """The same authority, or the city's and one of its districts' (the city's register covers them)."""
    if first == second:
        return True
    return first[:4] == second[:4] and (first.endswith("00") or second.endswith("00"))


def name_taken(*, name: str, region_code: str, now: datetime.datetime) -> bool:
    """Whether ``name`` is held at an authority overlapping ``region_code`` at ``now``."""
    for enterprise in MarketEnterprise.objects.filter(name=name).only("region_code", "status", "cancelled_at"):
        if not authorities_overlap(enterprise.region_code, region_code):
            continue
        if enterprise.status == MarketEnterprise.Status.ACTIVE:
            return True
        if enterprise.cancelled_at is not None and now - enterprise.cancelled_at < NAME_HELD_AFTER_CANCELLATION:
            return True
    return False


class EnterpriseNotFound(Exception):
    pass


def enterprise_cancel(*, credit_code: str, cancelled_at: datetime.datetime) -> MarketEnterprise:
    """Cancel (注销) a registered company. Idempotent: a second cancellation keeps the first date."""
    with transaction.atomic():
        enterprise = MarketEnterprise.objects.select_for_update().filter(credit_code=credit_code).first()
        if enterprise is None:
            raise EnterpriseNotFound(credit_code)
        if enterprise.status != MarketEnterprise.Status.CANCELLED:
            enterprise.status = MarketEnterprise.Status.CANCELLED
            enterprise.cancelled_at = cancelled_at
            enterprise.save(update_fields=["status", "cancelled_at"])
    return enterprise


def enterprise_as_dict(enterprise: MarketEnterprise) -> dict[str, Any]:
    return {
        "credit_code": enterprise.credit_code,
        "company_name": enterprise.name,
        "authority": enterprise.region_code,
        "status": enterprise.status,
        "cancelled_at": local_iso(enterprise.cancelled_at) if enterprise.cancelled_at else None,
    }


@register("market_regulation", verbose_name="市场监管 / market regulation")
class MarketRegulation(Simulator):
    request_model = MarketRegulationRequest
    input_serializer = MarketRegulationInput

    def process(self, *, data: dict[str, Any], now: datetime.datetime) -> Outcome:
        company = data["company"]
        region_code = region_code_of(company["address"])
        if name_taken(name=company["name"], region_code=region_code, now=now):
            return _NAME_TAKEN
        try:
            with transaction.atomic():
                enterprise = MarketEnterprise.objects.create(
                    application_id=data["application_id"],
                    name=company["name"],
                    region_code=region_code,
                    address=company["address"],
                    business_scope=company["business_scope"],
                    registered_capital=company["registered_capital"],
                    employees=company["employees"],
                    legal_representative_name=data["legal_representative"]["name"],
                    legal_representative_id_number=data["legal_representative"]["id_number"],
                    registered_at=now,
                )
        except IntegrityError:
            # Another registration of the same name committed between the check and the insert.
            if name_taken(name=company["name"], region_code=region_code, now=now):
                return _NAME_TAKEN
            raise
        # The codes come from the primary key, which the database hands out exactly once.
        enterprise.credit_code = credit_code_issue(sequence=enterprise.pk, region_code=region_code)
        enterprise.license_number = license_number_issue(sequence=enterprise.pk, region_code=region_code)
        established_on = now.astimezone(SHENZHEN_TZ).date()
        enterprise.licence_token = licence_token_issue(
            number=enterprise.license_number, credit_code=enterprise.credit_code, issued_on=established_on
        )
        enterprise.save(update_fields=["credit_code", "license_number", "licence_token"])
        MarketShareholder.objects.bulk_create(
            MarketShareholder(
                enterprise=enterprise,
                name=holder["name"],
                id_number=holder["id_number"],
                contribution=holder["contribution"],
            )
            for holder in data["shareholders"]
        )
        return Done(
            {
                "credit_code": enterprise.credit_code,
                "license_number": enterprise.license_number,
                "company_name": enterprise.name,
                "registered_at": local_iso(now),
                "entity_type": entity_type_of(enterprise.name),
                "established_on": established_on.isoformat(),
                "registration_authority": registration_authority_of(region_code),
                "licence_token": enterprise.licence_token,
            }
        )
