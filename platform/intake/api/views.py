import math

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.api.serializers import ApplicationInputSerializer, ApplicationOutputSerializer
from intake.documents import application_document, application_documents
from intake.selectors import application_progress_etag, application_progress_wait, applications_for_client
from intake.services import IdempotencyConflict, application_submit

# A valid document (CONTRACT §4) with synthetic identities whose check digits are right.
SUBMIT_EXAMPLE = OpenApiExample(
    "A software company with one shareholder",
    value={
        "company": {
            "name": "深圳市云帆科技有限公司",
            "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
            "business_scope": "软件开发；信息技术咨询服务",
            "registered_capital": "1000000.00",
            "employees": 5,
        },
        "legal_representative": {"name": "张伟", "id_number": "110105198503120012", "phone": "13800138000"},
        "shareholders": [{"name": "张伟", "id_number": "110105198503120012", "contribution": "1000000.00"}],
    },
    request_only=True,
)

# The list shows a client's newest applications, not its whole history.
LIST_LIMIT = 100

# A long poll holds a web thread; keep it short enough that clients reconnect often.
MAX_WAIT_SECONDS = 25.0


# The status documents are built by intake.documents, a few plain statements instead of the ORM
# and DRF walking ApplicationOutputSerializer (about a quarter of the CPU); the serializer still declares
# the schema, and it is what the documents are tested against.
class ApplicationListCreateApi(APIView):
    @extend_schema(responses=ApplicationOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(application_documents(queryset=applications_for_client(client=request.user), limit=LIST_LIMIT))

    @extend_schema(
        request=ApplicationInputSerializer,
        responses={201: ApplicationOutputSerializer, 200: ApplicationOutputSerializer},
        examples=[SUBMIT_EXAMPLE],
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
        queryset = applications_for_client(client=request.user)
        # Read before the document, as GET does: a change in between makes the client's next long
        # poll answer at once, never miss it. With it, a client can long-poll right away.
        etag = application_progress_etag(queryset=queryset, application_id=result.application.id)
        document = application_document(queryset=queryset, application_id=result.application.id)
        return Response(
            document,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
            headers={"ETag": etag},
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
            ),
            OpenApiParameter(
                "wait",
                int,
                OpenApiParameter.QUERY,
                description=(
                    "Long poll: with If-None-Match, hold the request up to this many seconds "
                    f"(at most {MAX_WAIT_SECONDS}) until the application changes."
                ),
            ),
        ],
    )
    def get(self, request: Request, application_id: str) -> Response:
        queryset = applications_for_client(client=request.user)
        known = request.headers.get("If-None-Match")
        wait = _wait_seconds(request.query_params.get("wait"))
        if known and wait:
            etag = application_progress_wait(queryset=queryset, application_id=application_id, etag=known, timeout=wait)
        else:
            etag = application_progress_etag(queryset=queryset, application_id=application_id)
        if etag is None:
            raise Http404
        if known == etag:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        document = application_document(queryset=queryset, application_id=application_id)
        if document is None:
            raise Http404
        return Response(document, headers={"ETag": etag})


def _wait_seconds(raw: str | None) -> float:
    """The long-poll wait asked for; anything unreadable means no wait (never an error)."""
    try:
        seconds = float(raw) if raw else 0.0
    except ValueError:
        return 0.0
    return min(MAX_WAIT_SECONDS, seconds) if math.isfinite(seconds) and seconds > 0 else 0.0
