"""What the OpenAPI document adds to every API operation: its error answers and its links.

Every operation can answer with the one error format (`intake.api.errors`): 401 without a valid
token, 429 when throttled, 400/413/415 for a bad body, 404 for an id that is not the client's.
Declaring them in one place keeps the document complete (schemathesis checks every status code
against it) without repeating them on each view. The links say where a created resource's id
goes next, so generated clients and stateful tests can follow them.
"""

from typing import Any

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The API's one error format. `errors` maps each bad field to its messages.",
    "properties": {
        "message": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["message"],
}
_ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}

_DESCRIPTIONS = {
    "400": "Invalid input: field messages in `errors`; nothing is stored.",
    "401": "No token, or not a valid one.",
    "404": "No such resource among this client's own.",
    "413": "The body is larger than the API accepts.",
    "415": "A content type the API does not read.",
    "422": "Understood but refused (an Idempotency-Key reused with another body, a refused name).",
    "429": "Too many requests; retry after the Retry-After header.",
}

# The codes only some operations give.
_EXTRA_CODES = {"v1_applications_create": ["422"], "v1_name_reservations_create": ["422"]}

# operationId of a create -> {link name: (operationId it leads to, its parameter, where the value is)}
_LINKS: dict[str, dict[str, tuple[str, str, str]]] = {
    "v1_applications_create": {
        "GetApplication": ("v1_applications_retrieve", "application_id", "$response.body#/id"),
    },
    "v1_name_reservations_create": {
        "GetNameReservation": ("v1_name_reservations_retrieve", "reference", "$response.body#/reference"),
    },
    "v1_webhooks_create": {
        "ListDeliveries": ("v1_webhooks_deliveries_list", "endpoint_id", "$response.body#/id"),
        "RotateSecret": ("v1_webhooks_rotate_secret_create", "endpoint_id", "$response.body#/id"),
        "DeleteWebhook": ("v1_webhooks_destroy", "endpoint_id", "$response.body#/id"),
    },
}


def api_errors_and_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, item in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            codes = ["401", "429"]
            if operation.get("requestBody"):
                codes += ["400", "413", "415"]
            if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
                codes.append("404")
            codes += _EXTRA_CODES.get(operation.get("operationId", ""), [])
            for code in codes:
                responses.setdefault(code, _error_response(code))
            for name, (target, parameter, value) in _LINKS.get(operation.get("operationId", ""), {}).items():
                for code in ("200", "201"):
                    if code in responses:
                        responses[code].setdefault("links", {})[name] = {
                            "operationId": target,
                            "parameters": {parameter: value},
                        }
    return result


def _error_response(code: str) -> dict[str, Any]:
    return {"description": _DESCRIPTIONS[code], "content": {"application/json": {"schema": _ERROR_REF}}}
