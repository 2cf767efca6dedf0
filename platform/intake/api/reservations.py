"""REST API for name reservations (名称自主申报): ``POST /api/v1/name-reservations/``."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.api.serializers import company_name_characters
from rules.jurisdictions import NATIONAL, ScopeInvalid, scope_validate
from rules.models import NameReservation
from rules.services.reservations import ReservationRefused, name_reservation_create


class NameReservationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, validators=[company_name_characters])
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    business_scope = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    authority = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    prior_approval = serializers.BooleanField(required=False, default=False)

    def validate_authority(self, value: str) -> str:
        if not value:
            return ""
        try:
            scope = scope_validate(value)
        except ScopeInvalid as exc:
            raise serializers.ValidationError(str(exc)) from None
        if scope == NATIONAL:
            raise serializers.ValidationError("登记机关须为行政区划代码 / the authority must be a region code")
        return scope


class NameReservationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = NameReservation
        fields = ["reference", "name", "authority", "status", "prior_approval", "expires_at", "created_at"]


def reservation_holder(request: Request) -> str:
    return f"api:{request.user.pk}"


def _findings(result: Any) -> list[dict[str, Any]]:
    return [f.to_dict() for f in result.findings] if result is not None else []


class NameReservationListCreateApi(APIView):
    @extend_schema(request=NameReservationInputSerializer, responses={201: NameReservationOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = NameReservationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            made = name_reservation_create(**serializer.validated_data, reserved_by=reservation_holder(request))
        except ReservationRefused as refused:
            # A business refusal, like a department's: final for this name, with the reasons.
            return Response(
                {"message": str(refused), "findings": _findings(refused.result)},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        body = NameReservationOutputSerializer(made.reservation).data
        body["findings"] = _findings(made.result)
        return Response(body, status=status.HTTP_201_CREATED)


class NameReservationDetailApi(APIView):
    @extend_schema(responses=NameReservationOutputSerializer)
    def get(self, request: Request, reference: str) -> Response:
        reservation = NameReservation.objects.filter(
            reference=reference, reserved_by=reservation_holder(request)
        ).first()
        if reservation is None:
            raise Http404
        return Response(NameReservationOutputSerializer(reservation).data)
