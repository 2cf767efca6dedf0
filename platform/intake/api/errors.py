"""One error format for the whole API: {"message": ..., "errors": {field: [messages]}}."""

from django.db import DatabaseError, DataError, IntegrityError, ProgrammingError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DatabaseError) and not isinstance(exc, DataError | IntegrityError | ProgrammingError):
        # The database is unreachable or restarting (OperationalError, InterfaceError): a
        # temporary condition, answered as one, never a 500.
        return Response(
            {"message": "服务暂时不可用，请稍后重试 / temporarily unavailable, retry shortly"},
            status=503,
            headers={"Retry-After": "5"},
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": "输入有误 / invalid input", "errors": response.data}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"message": str(response.data["detail"])}
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 handler: under /api/ a URL that matches no route (an id that is not a UUID)
    answers in the API's error format, like every other API error; elsewhere the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "未找到 / not found"}, status=404)
    return page_not_found(request, exception)
