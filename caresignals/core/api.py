"""What every app's HTTP API router shares (`/api/v1/`, docs/api.md).

Errors are `{"errors": {field: [message, ...]}}`. Request bodies are parsed by each router
rather than by pydantic models so that every error, malformed JSON included, comes back in
that one shape; their JSON schemas are still published in the OpenAPI document, described
with `json_doc` and `error_doc`. The API itself (django-ninja, token authentication, the
error handlers) is composed in caresignals/api/endpoints.py from one router per app.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse

NOT_FOUND = "Not found, or not yours to see"

ERRORS_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
    },
    "required": ["errors"],
}


def caller(request: HttpRequest) -> Any:
    """The user whose token authenticated this request (django-ninja sets `request.auth`)."""
    return getattr(request, "auth", None)


def errors(status: int, errs: dict[str, list[str]], **headers: str) -> JsonResponse:
    response = JsonResponse({"errors": errs}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def json_object(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The request body as a JSON object, or a 400 response saying what is wrong with it."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        return errors(400, {"body": [f"Malformed JSON: {exc}"]})
    if not isinstance(body, dict):
        return errors(400, {"body": ["Expected a JSON object"]})
    return body


def json_doc(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An OpenAPI response (or request body) of JSON with this schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_doc(description: str) -> dict[str, Any]:
    """An OpenAPI error response: `{"errors": {field: [message, ...]}}`."""
    return json_doc(ERRORS_SCHEMA, description)
