"""The carrier and public-security calls of the proof of presence, through the exchange layer.

`exchange.presence` speaks HTTP to the simulated carrier and to public security's face
comparison; this module is the one place the identity app reaches it from. Each call raises
`exchange.services.DepartmentUnavailable` when the other side cannot be reached.
"""

from __future__ import annotations

import uuid

from exchange.services import DepartmentUnavailable

__all__ = [
    "CarrierVerdict",
    "DepartmentUnavailable",
    "FaceImageInvalid",
    "FaceVerdict",
    "SmsMessage",
    "carrier_verify",
    "face_compare",
    "registry_photo",
    "sms_inbox",
    "sms_send",
]


from exchange import presence
from exchange.presence import CarrierVerdict, FaceImageInvalid, FaceVerdict, SmsMessage


def carrier_verify(*, phone: str, id_number: str, name: str, application_id: uuid.UUID | None = None) -> CarrierVerdict:
    return presence.carrier_verify(phone=phone, id_number=id_number, name=name, application_id=application_id)


def sms_send(*, phone: str, text: str, application_id: uuid.UUID | None = None) -> None:
    presence.sms_send(phone=phone, text=text, application_id=application_id)


def face_compare(*, id_number: str, image: bytes, application_id: uuid.UUID | None = None) -> FaceVerdict:
    return presence.face_compare(id_number=id_number, image=image, application_id=application_id)


def sms_inbox(*, phone: str, limit: int = 20) -> list[SmsMessage]:
    return presence.sms_inbox(phone=phone, limit=limit)


def registry_photo(*, id_number: str) -> bytes | None:
    """The citizen's registry photo, for a reviewer's side-by-side comparison; None without one."""
    from exchange.registry_photos import registry_photo as fetch

    return fetch(id_number=id_number)
