"""The simulated mobile carrier (运营商): who each phone number is registered to, the three-factor
check (手机号实名核验: phone + name + ID number), and SMS delivered into the carrier's own message
store, which stands in for the phone.

Its register is filled by the citizen registry's import (each citizen's phone is held in their
name). Phone numbers, ID numbers and message texts are encrypted at rest; none is logged, and a
refusal is a reason code that repeats none of them.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from departments.models import CarrierMessage, CarrierSubscriber, id_number_index
from departments.validation import id_number_normalize

logger = logging.getLogger(__name__)

REASONS = ("not_registered", "name_mismatch", "id_mismatch")
SMS_MAX_CHARACTERS = 500  # a long SMS is several parts; more than this is no SMS
INBOX_MAX = 100


@dataclass(frozen=True)
class Verdict:
    matches: bool
    reason: str | None


def subscribers_register(*, subscribers: list[tuple[str, str, str]]) -> int:
    """Register (phone, name, ID number) triples; a phone already registered changes hands.

    Upserted by the phone's blind index in batches; when a phone appears twice, the last one wins.
    """
    latest: dict[str, tuple[str, str, str]] = {}
    for phone, name, id_number in subscribers:
        latest[id_number_index(phone.strip())] = (phone.strip(), name.strip(), id_number_normalize(id_number))
    with transaction.atomic():
        CarrierSubscriber.objects.bulk_create(
            [CarrierSubscriber(phone=phone, name=name, id_number=number) for phone, name, number in latest.values()],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["phone_index"],
            update_fields=["name", "id_number", "updated_at"],
        )
    return len(latest)


def subscriber_verify(*, phone: str, name: str, id_number: str) -> Verdict:
    """Whether the phone is registered to this name and ID number; the first mismatch is the
    reason (the number unknown, then the name, then the ID number)."""
    subscriber = CarrierSubscriber.objects.filter(phone=phone.strip()).only("name", "id_number").first()
    if subscriber is None:
        verdict = Verdict(matches=False, reason="not_registered")
    elif subscriber.name != name.strip():
        verdict = Verdict(matches=False, reason="name_mismatch")
    elif subscriber.id_number != id_number_normalize(id_number):
        verdict = Verdict(matches=False, reason="id_mismatch")
    else:
        verdict = Verdict(matches=True, reason=None)
    logger.info("department=carrier three-factor check: %s", verdict.reason or "match")
    return verdict


def sms_deliver(*, phone: str, text: str, now: datetime.datetime | None = None) -> CarrierMessage:
    """Put a message in the phone's inbox (any valid mobile number: delivery needs no register)."""
    message = CarrierMessage.objects.create(phone=phone.strip(), text=text, sent_at=now or timezone.now())
    logger.info("department=carrier delivered an SMS")  # never the number or the text
    return message


def sms_inbox(*, phone: str, limit: int = 20) -> list[CarrierMessage]:
    """The phone's latest messages, newest first."""
    limit = max(1, min(limit, INBOX_MAX))
    return list(CarrierMessage.objects.filter(phone=phone.strip()).order_by("-sent_at", "-id")[:limit])
