"""Name reservation (名称自主申报): an applicant reserves a name before filing.

The name is checked by the names library exactly as an application's would be, at the
registration authority its address (or its own region) places it. A clean name is held for two
months; a name that needs a prior approval (a restricted word, such as 银行) for a year, and
only when the applicant says they are seeking that approval. While a reservation holds, the same
name, or a same-字号-same-industry name, at the same authority is refused to everyone else (the
names library's ``name_reserved``); an application citing the reservation's reference is its
holder's. Two people reserving one name at the same moment: the partial unique indexes over
active reservations let exactly one win.

Expired reservations are released by a periodic task, and also on the spot whenever someone
reserves one of their names; the names library ignores them from the moment they expire anyway.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from rules import engine
from rules.engine import CheckResult, Ports, Subject
from rules.models import NameReservation
from rules.naming import name_keys

HOLD_MONTHS = 2
HOLD_MONTHS_WITH_PRIOR_APPROVAL = 12


class ReservationRefused(Exception):
    """The name cannot be reserved; ``result`` is the names check that says why (None when
    another reservation won a race for the same name)."""

    def __init__(self, message: str, *, result: CheckResult | None = None) -> None:
        self.result = result
        super().__init__(message)


@dataclass(frozen=True)
class ReservationMade:
    reservation: NameReservation
    result: CheckResult


def _months_later(moment: datetime.datetime, months: int) -> datetime.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):  # the 31st of a short month is its last day
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def name_reservation_create(
    *,
    name: str,
    address: str = "",
    business_scope: str = "",
    authority: str = "",
    prior_approval: bool = False,
    reserved_by: str = "",
) -> ReservationMade:
    """Reserve ``name`` or raise ReservationRefused."""
    subject = Subject(company_name=name.strip(), address=address, business_scope=business_scope, authority=authority)
    result = engine.check_library("names", subject, ports=Ports())
    if result.outcome == "reject":
        raise ReservationRefused("the names check rejects this name", result=result)
    if result.outcome == "review" and not prior_approval:
        raise ReservationRefused(
            "this name needs a prior approval or a manual review; reserve it with prior_approval to hold it "
            "while the approval is sought",
            result=result,
        )
    placed = engine.jurisdiction_of(subject)
    if not placed.authority:
        raise ReservationRefused(
            "the registration authority is unknown: give a standard address or start the name with its region",
            result=result,
        )
    keys = name_keys(subject.company_name)
    now = timezone.now()
    months = HOLD_MONTHS_WITH_PRIOR_APPROVAL if prior_approval else HOLD_MONTHS
    try:
        with transaction.atomic():
            _release_expired(
                Q(authority=placed.authority)
                & (Q(core_key=keys.core) | Q(trade_name_key=keys.trade_name, industry=keys.industry_group))
            )
            reservation = NameReservation.objects.create(
                reference=f"NR{secrets.token_hex(10).upper()}",
                name=subject.company_name,
                core_key=keys.core,
                trade_name_key=keys.trade_name,
                industry=keys.industry_group[:40],
                authority=placed.authority,
                prior_approval=prior_approval,
                reserved_by=reserved_by[:150],
                expires_at=_months_later(now, months),
            )
    except IntegrityError:
        raise ReservationRefused("the name was reserved by someone else a moment ago") from None
    return ReservationMade(reservation=reservation, result=result)


def _release_expired(condition: Q) -> int:
    return NameReservation.objects.filter(
        condition, status=NameReservation.Status.ACTIVE, expires_at__lte=timezone.now()
    ).update(status=NameReservation.Status.RELEASED, released_at=timezone.now())


def name_reservations_release_expired() -> int:
    """Release every reservation past its hold (the periodic task)."""
    return _release_expired(Q())


def name_reservation_use(*, reference: str) -> None:
    """Mark a reservation used, once its holder's company is registered."""
    NameReservation.objects.filter(reference=reference, status=NameReservation.Status.ACTIVE).update(
        status=NameReservation.Status.USED, released_at=timezone.now()
    )
