"""The JSON endpoints behind a person's verification page (CONTRACT §7).

The token in the path is the only credential: no login, no API key. Every answer is 200 with
the verification's state (202 for a code sent), 400 with field errors, 404 for an unknown link,
or 503 when the carrier or public security cannot be reached.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.lockout import client_address
from accounts.throttling import AnonymousRateThrottle, _SettingsRate
from identity.api.serializers import (
    CodeInputSerializer,
    ConsentInputSerializer,
    FaceInputSerializer,
    FaceStateSerializer,
    SendCodeInputSerializer,
    VerificationErrorSerializer,
    VerificationStateSerializer,
)
from identity.models import Verification
from identity.selectors import verification_by_token, verification_state
from identity.services import (
    Client,
    VerificationRefused,
    VerificationUnavailable,
    verification_check_code,
    verification_consent,
    verification_send_code,
    verification_submit_face,
)

TAGS = ["verifications"]
STATE_EXAMPLE = {
    "id": "8d1c6f4e-3a3b-4c55-9a53-0c7d9d1f2b11",
    "status": "pending",
    "next_step": "enter_code",
    "failed_proof": None,
    "person": {"name": "张*", "id_number": "110105********0011", "phone": "138****8000", "phone_known": True},
    "application": {
        "reference": "1A2B3C4D5E",
        "status": "awaiting_verification",
        "deadline": "2026-12-09T10:00:00+08:00",
        "filed_by_agent": None,
        "company": {
            "name": "深圳市云帆科技有限公司",
            "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
            "business_scope": "软件开发；信息技术咨询服务",
            "registered_capital": "1000000.00",
        },
    },
    "roles": [
        {
            "role": "legal_representative",
            "label": "法定代表人",
            "label_en": "legal representative",
            "position": 0,
            "contribution": None,
        },
        {"role": "shareholder", "label": "股东", "label_en": "shareholder", "position": 0, "contribution": "600000.00"},
    ],
    "steps": {
        "code": {
            "sent": True,
            "confirmed": False,
            "expires_at": "2026-12-02T10:05:00+08:00",
            "attempts_left": 5,
            "resend_after": 42,
        },
        "face": {"outcome": None, "distance": None, "threshold": None, "attempts_left": 3},
        "consent": False,
    },
}
ERROR_EXAMPLE = {
    "message": "输入有误 / invalid input",
    "reason": "code_wrong",
    "errors": {"code": ["验证码不正确，还可尝试4次 / wrong code; 4 tries left"]},
}
RESPONSES = {
    200: VerificationStateSerializer,
    400: OpenApiResponse(VerificationErrorSerializer, description="Field errors; nothing stored but the try."),
    404: OpenApiResponse(description="Unknown link."),
    503: OpenApiResponse(description="The carrier or public security is unreachable; nothing stored."),
}
EXAMPLES = [
    OpenApiExample("state", value=STATE_EXAMPLE, response_only=True, status_codes=["200", "202"]),
    OpenApiExample("refused", value=ERROR_EXAMPLE, response_only=True, status_codes=["400"]),
]


class VerificationAddressThrottle(_SettingsRate):
    """Every verification request from one client address, whatever the link."""

    scope = "verification_address"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request._request) or "unknown"}


class _VerificationApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list[type[SimpleRateThrottle]] = [AnonymousRateThrottle, VerificationAddressThrottle]

    def verification(self, token: str) -> Verification | None:
        return verification_by_token(token=token)

    def state(self, verification: Verification, *, code: int = status.HTTP_200_OK, **extra: object) -> Response:
        verification = Verification.objects.select_related("application", "person").get(pk=verification.pk)
        return Response({**verification_state(verification), **extra}, status=code)


def _not_found() -> Response:
    return Response({"message": "核验链接无效 / this verification link is not valid"}, status=status.HTTP_404_NOT_FOUND)


def _refused(refusal: VerificationRefused, **extra: object) -> Response:
    headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else None
    return Response(
        {"message": refusal.message, "reason": refusal.reason, "errors": {refusal.field: [refusal.message]}, **extra},
        status=status.HTTP_400_BAD_REQUEST,
        headers=headers,
    )


def _too_large(limit: int) -> VerificationRefused:
    megabytes = limit // (1024 * 1024)
    return VerificationRefused(
        field="image",
        reason="image_too_large",
        message=f"照片不能大于 {megabytes} MB / the photo must not exceed {megabytes} MB",
    )


def _invalid(errors: dict) -> Response:
    return Response(
        {"message": "输入有误 / invalid input", "reason": "invalid", "errors": errors},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _unavailable(error: VerificationUnavailable) -> Response:
    return Response({"message": str(error)}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "30"})


class VerificationDetailApi(_VerificationApi):
    @extend_schema(
        tags=TAGS, responses=RESPONSES, examples=EXAMPLES, summary="What the person consents to, and the steps done"
    )
    def get(self, request: Request, token: str) -> Response:
        verification = self.verification(token)
        return _not_found() if verification is None else self.state(verification)


class VerificationSendCodeApi(_VerificationApi):
    @extend_schema(
        tags=TAGS,
        request=SendCodeInputSerializer,
        responses={**RESPONSES, 202: VerificationStateSerializer},
        examples=[*EXAMPLES, OpenApiExample("phone", value={"phone": "13800138000"}, request_only=True)],
        summary="Carrier three-factor check, then a 6-digit code by SMS",
    )
    def post(self, request: Request, token: str) -> Response:
        verification = self.verification(token)
        if verification is None:
            return _not_found()
        serializer = SendCodeInputSerializer(data=request.data)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        try:
            verification_send_code(
                verification_id=verification.id,
                phone=serializer.validated_data.get("phone") or None,
                client=Client(address=client_address(request._request) or "unknown"),
            )
        except VerificationRefused as refusal:
            return _refused(refusal)
        except VerificationUnavailable as error:
            return _unavailable(error)
        return self.state(verification, code=status.HTTP_202_ACCEPTED)


class VerificationCodeApi(_VerificationApi):
    @extend_schema(
        tags=TAGS,
        request=CodeInputSerializer,
        responses=RESPONSES,
        examples=[*EXAMPLES, OpenApiExample("code", value={"code": "123456"}, request_only=True)],
        summary="Confirm the one-time code",
    )
    def post(self, request: Request, token: str) -> Response:
        verification = self.verification(token)
        if verification is None:
            return _not_found()
        serializer = CodeInputSerializer(data=request.data)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        try:
            verification_check_code(verification_id=verification.id, code=serializer.validated_data["code"])
        except VerificationRefused as refusal:
            return _refused(refusal)
        return self.state(verification)


class VerificationFaceApi(_VerificationApi):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": FaceInputSerializer},
        responses={**RESPONSES, 200: FaceStateSerializer},
        examples=[
            OpenApiExample(
                "match",
                value={**STATE_EXAMPLE, "outcome": "match", "next_step": "consent"},
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "no face",
                value={
                    "message": "照片中未检测到人脸… / no face was found…",
                    "reason": "no_face",
                    "outcome": "no_face",
                    "errors": {"image": ["照片中未检测到人脸… / no face was found…"]},
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        summary="Compare a selfie with the registry photo",
    )
    def post(self, request: Request, token: str) -> Response:
        verification = self.verification(token)
        if verification is None:
            return _not_found()
        declared = request.META.get("CONTENT_LENGTH", "")
        limit = settings.FACE_IMAGE_MAX_BYTES
        # Judged before the body is read: a 20 MB upload is refused without being stored.
        if declared.isdigit() and int(declared) > limit + 64 * 1024:
            return _refused(_too_large(limit))
        serializer = FaceInputSerializer(data=request.data)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        upload = serializer.validated_data["image"]
        if upload.size > limit:
            image = b""
            oversize = True
        else:
            image, oversize = upload.read(), False
        try:
            if oversize:
                raise _too_large(limit)
            done = verification_submit_face(verification_id=verification.id, image=image)
        except VerificationRefused as refusal:
            extra = {"outcome": refusal.reason} if refusal.reason in ("no_match", "no_face", "multiple_faces") else {}
            return _refused(refusal, **extra)
        except VerificationUnavailable as error:
            return _unavailable(error)
        return self.state(verification, outcome=done.face_outcome)


class VerificationConsentApi(_VerificationApi):
    @extend_schema(
        tags=TAGS,
        request=ConsentInputSerializer,
        responses=RESPONSES,
        examples=[*EXAMPLES, OpenApiExample("consent", value={"consent": True}, request_only=True)],
        summary="Consent to the application (the last step)",
    )
    def post(self, request: Request, token: str) -> Response:
        verification = self.verification(token)
        if verification is None:
            return _not_found()
        serializer = ConsentInputSerializer(data=request.data)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        try:
            verification_consent(verification_id=verification.id, consent=serializer.validated_data["consent"])
        except VerificationRefused as refusal:
            return _refused(refusal)
        return self.state(verification)
