"""Request parsers of the REST API that refuse hostile bodies with a clear 4xx instead of a 500.

DRF's own JSON parser reads the whole stream whatever its size, and a body of 100,000 nested
``[`` makes ``json`` raise RecursionError (a 500). These read at most ``API_MAX_BODY_BYTES``
(413 above it, judged from Content-Length before reading when it is declared), turn every
decoding failure into a 400, and refuse documents nested deeper than ``API_MAX_JSON_DEPTH``
(the application document needs four levels).

They derive from BaseParser, not from DRF's JSONParser and FormParser: for those DRF reads the
whole body into memory before the parser is even called.
"""

import codecs
import json
from typing import Any

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers, renderers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "请求体过大 / the request body is too large"
    default_code = "request_too_large"


def _bounded_read(stream: Any, parser_context: dict | None) -> bytes:
    limit = settings.API_MAX_BODY_BYTES
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
    if declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(f"请求体超过 {limit} 字节 / the request body is larger than {limit} bytes")
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise RequestTooLarge(f"请求体超过 {limit} 字节 / the request body is larger than {limit} bytes")
    return raw


def json_depth_exceeds(value: Any, *, limit: int) -> bool:
    """Whether ``value`` nests lists and objects deeper than ``limit`` (iterative: no recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(parsers.BaseParser):
    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        raw = _bounded_read(stream, parser_context)
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.decode(raw, encoding)
            data = json.loads(text, parse_constant=strict_constant if api_settings.STRICT_JSON else None)
        except RecursionError:
            raise ParseError(
                f"JSON 嵌套过深（最多 {settings.API_MAX_JSON_DEPTH} 层）/ the JSON is nested too deeply"
                f" (at most {settings.API_MAX_JSON_DEPTH} levels)"
            ) from None
        except (ValueError, LookupError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise ParseError(f"JSON 格式错误 / JSON parse error - {exc}") from None
        if json_depth_exceeds(data, limit=settings.API_MAX_JSON_DEPTH):
            raise ParseError(
                f"JSON 嵌套过深（最多 {settings.API_MAX_JSON_DEPTH} 层）/ the JSON is nested too deeply"
                f" (at most {settings.API_MAX_JSON_DEPTH} levels)"
            )
        return data


class BoundedFormParser(parsers.BaseParser):
    media_type = "application/x-www-form-urlencoded"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> QueryDict:
        raw = _bounded_read(stream, parser_context)
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return QueryDict(raw, encoding=encoding)
        except ValueError as exc:
            raise ParseError(f"表单格式错误 / form parse error - {exc}") from None
