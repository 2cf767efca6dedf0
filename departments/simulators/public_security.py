"""Public security (公安): official seal carving (刻制印章). The citizen registry itself is served
by ``departments.services.citizen_verify`` and ``citizens_import``."""

import datetime
from typing import Any

from rest_framework import serializers

from departments.models import Citizen, PublicSecurityRequest, SealOrder
from departments.simulators import Done, Outcome, Refused, Simulator, create_unless_taken, register
from departments.simulators.common import (
    SHENZHEN_TZ,
    CreditCodeField,
    IdNumberField,
    application_id_field,
    local_iso,
    name_field,
    next_working_day,
    person_name_field,
    pick,
    within_office_hours,
)

SEALS = ["公章", "财务专用章", "发票专用章", "法定代表人名章"]
# Licensed seal makers the bureau assigns orders to.
SEAL_MAKERS = [
    "深圳市鹏城印章制作有限公司",
    "深圳市安信刻章有限公司",
    "深圳市华盾印章科技有限公司",
    "深圳市信诚印务有限公司",
]
_CARVING_TIME = datetime.timedelta(hours=2)
_WORKSHOP_OPENS = datetime.time(9, 0)
_WORKSHOP_CLOSES = datetime.time(18, 0)


class _CompanyInput(serializers.Serializer):
    name = name_field()


class _PersonInput(serializers.Serializer):
    name = person_name_field()
    id_number = IdNumberField()


class SealCarvingInput(serializers.Serializer):
    application_id = application_id_field()
    credit_code = CreditCodeField()
    company = _CompanyInput()
    legal_representative = _PersonInput()


_ALREADY_ORDERED = Refused(
    reason="该企业的首套印章已刻制",
    reason_en="The first set of seals for this company has already been ordered",
)
_IDENTITY_NOT_VALID = Refused(
    reason="法定代表人身份证件已失效，不予刻制印章",
    reason_en="The legal representative's identity document is no longer valid; no seals are carved",
)


def ready_at_for(*, now: datetime.datetime) -> datetime.datetime:
    """Carving takes two working hours; an order after hours is ready two hours after opening."""
    start = within_office_hours(now, opens=_WORKSHOP_OPENS, closes=_WORKSHOP_CLOSES)
    ready = start + _CARVING_TIME
    if ready.time() > _WORKSHOP_CLOSES:
        ready = datetime.datetime.combine(next_working_day(start.date()), _WORKSHOP_OPENS, tzinfo=SHENZHEN_TZ)
        ready += _CARVING_TIME
    return ready


@register("public_security", verbose_name="公安 / public security")
class PublicSecurity(Simulator):
    request_model = PublicSecurityRequest
    input_serializer = SealCarvingInput

    def process(self, *, data: dict[str, Any], now: datetime.datetime) -> Outcome:
        # The bureau carves seals only for a living person with a valid ID. Someone absent from
        # the (simulated, partial) registry is not refused here: the platform's real-name check
        # already matched them.
        citizen_status = (
            Citizen.objects.filter(id_number=data["legal_representative"]["id_number"])
            .values_list("status", flat=True)
            .first()
        )
        if citizen_status is not None and citizen_status != "valid":
            return _IDENTITY_NOT_VALID
        order = create_unless_taken(
            SealOrder,
            application_id=data["application_id"],
            credit_code=data["credit_code"],
            company_name=data["company"]["name"],
            legal_representative_name=data["legal_representative"]["name"],
            seals=SEALS,
            maker=pick(SEAL_MAKERS, key=data["credit_code"]),
            ready_at=ready_at_for(now=now),
            created_at=now,
        )
        if order is None:
            return _ALREADY_ORDERED
        order.order_number = f"GA{now.astimezone(SHENZHEN_TZ):%Y%m%d}{order.pk:06d}"
        order.save(update_fields=["order_number"])
        return Done(
            {
                "seal_order_number": order.order_number,
                "seals": list(order.seals),
                "maker": order.maker,
                "ready_at": local_iso(order.ready_at),
            }
        )
