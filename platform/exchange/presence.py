"""Ports for proof of presence: the mobile carrier's three-factor check and SMS, and public
security's comparison of a selfie with the registry photo.

Each call goes over signed HTTP through ``exchange.services.department_post``, like every other
call to a simulated system. What the exchange log records is the field names sent, never their
values: no phone number, ID number, name, message text or picture reaches a log line, an
exception message or a URL (an inbox is read by POST, so the phone stays out of the path).

Every function raises ``exchange.services.DepartmentUnavailable`` when the system cannot be
reached (connection error, timeout, 5xx), and ``DepartmentRequestRefused`` when it refuses the
request itself (a 4xx that is not an answer: a configuration or programming error).
"""

from __future__ import annotations

import base64
import datetime
import uuid
from dataclasses import dataclass

import httpx
from django.conf import settings

from exchange.services import DepartmentRequestRefused, department_post

CARRIER = "carrier"
PUBLIC_SECURITY = "public_security"

CARRIER_REASONS = ("not_registered", "name_mismatch", "id_mismatch")
FACE_OUTCOMES = ("match", "no_match", "no_face", "multiple_faces", "no_photo")
# Public security's documented figures (departments/faces.py); the answer carries them too.
FACE_MATCH_THRESHOLD = 0.6
FACE_REVIEW_FROM = 0.5


@dataclass(frozen=True)
class CarrierVerdict:
    """Whether the phone number is registered to this name and ID number (手机号实名核验)."""

    matches: bool
    reason: str | None  # "not_registered" | "name_mismatch" | "id_mismatch" | None


@dataclass(frozen=True)
class FaceVerdict:
    """Public security's comparison of a selfie with the citizen's registry photo.

    ``distance`` is the Euclidean distance between the two 128-dimensional face descriptors of
    dlib's ResNet model; below ``threshold`` (0.6) they are the same person. ``review_from``
    (0.5) starts the band just below the threshold where a human should look at both pictures.
    """

    outcome: str  # "match" | "no_match" | "no_face" | "multiple_faces" | "no_photo"
    distance: float | None
    threshold: float
    review_from: float = FACE_REVIEW_FROM

    @property
    def near_threshold(self) -> bool:
        """A match, but close enough to the threshold that a reviewer should confirm it."""
        return self.outcome == "match" and self.distance is not None and self.distance >= self.review_from


@dataclass(frozen=True)
class SmsMessage:
    sent_at: datetime.datetime
    text: str


class FaceImageInvalid(Exception):
    """The picture cannot be compared: not a JPEG or PNG image, or too large. ``str()`` is a
    bilingual message for the person, without personal data; ``problem`` is machine-readable."""

    def __init__(self, message: str, *, problem: str) -> None:
        super().__init__(message)
        self.problem = problem  # "not_image" | "too_large" | "too_many_pixels"


_IMAGE_PROBLEMS = {
    "not_image": "照片不是 JPEG 或 PNG 图像 / the picture is not a JPEG or PNG image",
    "too_many_pixels": "照片分辨率过高 / the picture has too many pixels",
}


def _too_large_message() -> str:
    megabytes = settings.FACE_IMAGE_MAX_BYTES / (1024 * 1024)
    return f"照片超过 {megabytes:g} MB / the picture is larger than {megabytes:g} MB"


def carrier_verify(*, phone: str, id_number: str, name: str, application_id: uuid.UUID | None = None) -> CarrierVerdict:
    """The carrier's three-factor check: is ``phone`` registered to ``name`` and ``id_number``?"""
    response = department_post(
        department=CARRIER,
        endpoint="subscribers/verify/",
        payload={"phone": phone, "id_number": id_number, "name": name},
        application_id=application_id,
    ).response
    body = _answer(response, what="subscribers/verify")
    reason = body.get("reason")
    if reason is not None and reason not in CARRIER_REASONS:
        raise DepartmentRequestRefused(f"carrier answered an unknown reason code {reason!r}")
    return CarrierVerdict(matches=bool(body.get("matches")), reason=reason)


def sms_send(*, phone: str, text: str, application_id: uuid.UUID | None = None) -> None:
    """Deliver an SMS through the carrier (into the simulated phone's inbox)."""
    response = department_post(
        department=CARRIER,
        endpoint="sms/send/",
        payload={"phone": phone, "text": text},
        application_id=application_id,
    ).response
    _answer(response, what="sms/send", expected=(202,))


def sms_inbox(*, phone: str, limit: int = 20) -> list[SmsMessage]:
    """The simulated phone's latest messages, newest first (the demo inbox and ``sms_inbox``).

    Not recorded in the exchange log: reading the demo phone is not the platform sharing data.
    """
    response = department_post(
        department=CARRIER,
        endpoint="sms/inbox/",
        payload={"phone": phone, "limit": limit},
        application_id=None,
        record=False,
    ).response
    body = _answer(response, what="sms/inbox")
    return [
        SmsMessage(sent_at=datetime.datetime.fromisoformat(message["sent_at"]), text=message["text"])
        for message in body.get("messages", [])
    ]


def face_compare(*, id_number: str, image: bytes, application_id: uuid.UUID | None = None) -> FaceVerdict:
    """Compare a selfie with the citizen's registry photo at public security.

    The selfie is sent once and neither the platform's log nor the department keeps it. Raises
    ``FaceImageInvalid`` for a picture that is not a JPEG or PNG, or is too large (checked here
    before sending, and by the department).
    """
    if len(image) > settings.FACE_IMAGE_MAX_BYTES:
        raise FaceImageInvalid(_too_large_message(), problem="too_large")
    response = department_post(
        department=PUBLIC_SECURITY,
        endpoint="citizens/face-compare/",
        payload={"id_number": id_number, "image": base64.b64encode(image).decode("ascii")},
        application_id=application_id,
    ).response
    if response.status_code == 413:
        raise FaceImageInvalid(_too_large_message(), problem="too_large")
    if response.status_code == 400:
        problem = _json(response).get("problem")
        if problem == "too_large":
            raise FaceImageInvalid(_too_large_message(), problem="too_large")
        if problem in _IMAGE_PROBLEMS:
            raise FaceImageInvalid(_IMAGE_PROBLEMS[problem], problem=problem)
    body = _answer(response, what="citizens/face-compare")
    outcome = body.get("outcome")
    if outcome not in FACE_OUTCOMES:
        raise DepartmentRequestRefused(f"public_security answered an unknown face outcome {outcome!r}")
    distance = body.get("distance")
    return FaceVerdict(
        outcome=outcome,
        distance=float(distance) if distance is not None else None,
        threshold=float(body.get("threshold", FACE_MATCH_THRESHOLD)),
        review_from=float(body.get("review_from", FACE_REVIEW_FROM)),
    )


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _answer(response: httpx.Response, *, what: str, expected: tuple[int, ...] = (200,)) -> dict:
    """The JSON body of an expected answer; anything else is a refusal of the request itself.

    Only the status and the field names of any errors go into the message: a system's error text
    could quote the values it was sent.
    """
    status = response.status_code
    body = _json(response)
    if status not in expected:
        errors = body.get("errors")
        fields = sorted(errors) if isinstance(errors, dict) else []
        raise DepartmentRequestRefused(f"{what} answered HTTP {status}; fields: {fields}")
    return body
