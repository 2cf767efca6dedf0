"""The webhook API (CONTRACT §6): thin views over webhooks.services and webhooks.selectors."""

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webhooks.models import WebhookEndpoint
from webhooks.selectors import deliveries_for_endpoint, endpoints_for_client
from webhooks.serializers import (
    DeliveryOutputSerializer,
    EndpointCreatedSerializer,
    EndpointInputSerializer,
    EndpointOutputSerializer,
    SecretOutputSerializer,
)
from webhooks.services import EndpointInvalid, endpoint_create, endpoint_delete, endpoint_rotate_secret

ENDPOINT_ID = "3f0c8a52-6a7e-4d0b-9a3e-2f6f9c1d7b10"
CREATE_EXAMPLES = [
    OpenApiExample(
        "Register an endpoint",
        value={"url": "https://erp.example.com/onewindow/webhooks", "events": ["application.completed"]},
        request_only=True,
    ),
    OpenApiExample(
        "The endpoint, with its secret (shown only here)",
        value={
            "id": ENDPOINT_ID,
            "url": "https://erp.example.com/onewindow/webhooks",
            "events": ["application.completed"],
            "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "enabled": True,
            "disabled_reason": "",
            "created_at": "2026-11-20T10:00:00+08:00",
        },
        response_only=True,
        status_codes=["201"],
    ),
]
DELIVERY_EXAMPLE = OpenApiExample(
    "A delivery that succeeded on its second attempt",
    value=[
        {
            "webhook_id": "msg_5b1f0d7e0c4e4a7f9a6b2b8f3d9c1e20",
            "type": "application.completed",
            "application_id": "6f1c7d3e-4a1b-4d55-9a61-2f1f4b1e9a01",
            "status": "succeeded",
            "attempts": 2,
            "last_status_code": 200,
            "next_attempt_at": None,
            "delivered_at": "2026-11-20T10:00:07+08:00",
            "created_at": "2026-11-20T10:00:00+08:00",
            "attempt_log": [
                {"attempted_at": "2026-11-20T10:00:01+08:00", "status_code": 503, "duration_ms": 41, "error": ""},
                {"attempted_at": "2026-11-20T10:00:07+08:00", "status_code": 200, "duration_ms": 35, "error": ""},
            ],
        }
    ],
    response_only=True,
)


def _actor(request: Request) -> str:
    return f"api_client:{request.user.name}"


def _own_endpoint(request: Request, endpoint_id: str) -> WebhookEndpoint:
    endpoint = endpoints_for_client(client=request.user).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404
    return endpoint


class WebhookListCreateApi(APIView):
    @extend_schema(
        tags=["webhooks"],
        responses=EndpointOutputSerializer(many=True),
        examples=[
            OpenApiExample(
                "The client's endpoints (never their secrets)",
                value=[
                    {
                        "id": ENDPOINT_ID,
                        "url": "https://erp.example.com/onewindow/webhooks",
                        "events": ["application.completed", "department.failed"],
                        "enabled": False,
                        "disabled_reason": "接收方答复 410 Gone / the receiver answered 410 Gone",
                        "created_at": "2026-11-20T10:00:00+08:00",
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(EndpointOutputSerializer(endpoints_for_client(client=request.user), many=True).data)

    @extend_schema(
        tags=["webhooks"],
        request=EndpointInputSerializer,
        responses={201: EndpointCreatedSerializer},
        examples=CREATE_EXAMPLES,
        description="Registers an endpoint. Refused (400) if the URL resolves to a private, loopback or "
        "link-local address. The `secret` signs every delivery (Standard Webhooks) and is shown only here.",
    )
    def post(self, request: Request) -> Response:
        serializer = EndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            created = endpoint_create(api_client=request.user, actor=_actor(request), **serializer.validated_data)
        except EndpointInvalid as invalid:
            raise serializers.ValidationError(invalid.errors) from invalid
        body = EndpointCreatedSerializer(created.endpoint).data
        body["secret"] = created.secret
        return Response(body, status=status.HTTP_201_CREATED)


class WebhookDetailApi(APIView):
    @extend_schema(tags=["webhooks"], responses={204: None})
    def delete(self, request: Request, endpoint_id: str) -> Response:
        endpoint_delete(endpoint=_own_endpoint(request, endpoint_id), actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecretApi(APIView):
    @extend_schema(
        tags=["webhooks"],
        request=None,
        responses=SecretOutputSerializer,
        examples=[
            OpenApiExample(
                "The new secret (shown only here)",
                value={
                    "secret": "whsec_R2VuZXJhdGVkT25jZUFuZE5ldmVyQWdhaW4=",
                    "previous_secret_expires_at": "2026-11-21T10:00:00+08:00",
                },
                response_only=True,
            )
        ],
        description="A new secret. Until `previous_secret_expires_at`, deliveries carry two signatures.",
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        endpoint = _own_endpoint(request, endpoint_id)
        secret = endpoint_rotate_secret(endpoint=endpoint, actor=_actor(request))
        endpoint.refresh_from_db(fields=["previous_secret_expires_at"])
        return Response(
            SecretOutputSerializer(
                {"secret": secret, "previous_secret_expires_at": endpoint.previous_secret_expires_at}
            ).data
        )


class WebhookDeliveriesApi(APIView):
    @extend_schema(tags=["webhooks"], responses=DeliveryOutputSerializer(many=True), examples=[DELIVERY_EXAMPLE])
    def get(self, request: Request, endpoint_id: str) -> Response:
        deliveries = deliveries_for_endpoint(endpoint=_own_endpoint(request, endpoint_id))
        return Response(DeliveryOutputSerializer(deliveries, many=True).data)
