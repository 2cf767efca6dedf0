"""The carrier and public-security calls of the proof of presence, through the exchange layer.

`exchange.presence` speaks HTTP to the simulated carrier and to public security's face
comparison; this module is the one place the identity app reaches it from. Each call raises
`exchange.services.DepartmentUnavailable` when the other side cannot be reached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from exchange.services import DepartmentUnavailable

if TYPE_CHECKING:
    from exchange.presence import CarrierVerdict, FaceVerdict, SmsMessage

__all__ = ["DepartmentUnavailable", "FaceImageInvalid", "carrier_verify", "face_compare", "sms_inbox", "sms_send"]


class _FaceImageInvalidFallback(Exception):
    pass


try:
    from exchange.presence import FaceImageInvalid
except ImportError:  # pragma: no cover - while the exchange module is not there yet
    FaceImageInvalid = _FaceImageInvalidFallback  # type: ignore[misc,assignment]


def carrier_verify(*, phone: str, id_number: str, name: str) -> CarrierVerdict:
    from exchange import presence

    return presence.carrier_verify(phone=phone, id_number=id_number, name=name)


def sms_send(*, phone: str, text: str) -> None:
    from exchange import presence

    presence.sms_send(phone=phone, text=text)


def face_compare(*, id_number: str, image: bytes) -> FaceVerdict:
    from exchange import presence

    return presence.face_compare(id_number=id_number, image=image)


def sms_inbox(*, phone: str, limit: int = 20) -> list[SmsMessage]:
    from exchange import presence

    return presence.sms_inbox(phone=phone, limit=limit)


def registry_photo(*, id_number: str) -> bytes | None:
    """The citizen's registry photo, for a reviewer's side-by-side comparison; None without one."""
    from exchange import presence

    return presence.registry_photo(id_number=id_number)
