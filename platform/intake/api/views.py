from django.http import Http404
from django.utils.decorators import method_decorator
from django.views.decorators.http import condition
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.api.serializers import ApplicationInputSerializer, ApplicationOutputSerializer
from intake.selectors import application_progress_etag, application_with_progress, applications_for_client
from intake.services import IdempotencyConflict, application_submit


class ApplicationListCreateApi(APIView):
    @extend_schema(responses=ApplicationOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        applications = applications_for_client(client=request.user).prefetch_related("checks", "work_items")[:100]
        return Response(ApplicationOutputSerializer(applications, many=True).data)

    @extend_schema(
        request=ApplicationInputSerializer,
        responses={201: ApplicationOutputSerializer, 200: ApplicationOutputSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A retried POST with the same key returns the same application (200).",
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = ApplicationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key") or None
        if key and len(key) > 200:
            return Response({"message": "Idempotency-Key is longer than 200 characters."}, status=400)
        try:
            result = application_submit(
                document=serializer.validated_data, api_client=request.user, idempotency_key=key
            )
        except IdempotencyConflict as conflict:
            return Response({"message": str(conflict)}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        application = application_with_progress(
            queryset=applications_for_client(client=request.user), application_id=result.application.id
        )
        return Response(
            ApplicationOutputSerializer(application).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


def _client_application_etag(request: Request, application_id: str) -> str | None:
    return application_progress_etag(
        queryset=applications_for_client(client=request.user), application_id=application_id
    )


class ApplicationDetailApi(APIView):
    @extend_schema(
        responses={200: ApplicationOutputSerializer, 304: None},
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                description="The ETag of an earlier answer: 304 with no body while nothing changed.",
            )
        ],
    )
    @method_decorator(condition(etag_func=_client_application_etag))
    def get(self, request: Request, application_id: str) -> Response:
        application = application_with_progress(
            queryset=applications_for_client(client=request.user), application_id=application_id
        )
        if application is None:
            raise Http404
        return Response(ApplicationOutputSerializer(application).data)
