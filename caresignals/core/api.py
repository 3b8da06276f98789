"""What every app's HTTP API router shares (`/api/v1/`, docs/api.md).

Errors are `{"errors": {field: [message, ...]}}`. Request bodies are read here, by
`json_object`, rather than by pydantic models, so that every error, malformed JSON included,
comes back in that one shape; their JSON schemas are still published in the OpenAPI document,
described with `json_doc` and `error_doc`. The API itself (django-ninja, token authentication,
the error handlers) is composed in caresignals/api/endpoints.py from one router per app.

`json_object` is the one gate every JSON body passes, public ones included, so that no input
reaches a view that could make it fail: only `application/json` (a form on another site can
post `text/plain` without asking, but not JSON), at most `MAX_BODY_BYTES`, UTF-8, nested at
most `MAX_DEPTH` deep, no NUL character or lone surrogate in any text (PostgreSQL and UTF-8
refuse them), whole numbers within 64 bits and no infinite or NaN number. Each refusal names
the field.
"""

from __future__ import annotations

import json
import math
import re
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


# The largest body: the longest text any endpoint takes (20,000 characters) written as JSON
# escapes, with room for the other fields.
MAX_BODY_BYTES = 256 * 1024
# Levels of objects and arrays: the deepest body any endpoint takes has two (a complaint's
# `contact`); more is refused before the parser (which recurses) sees it.
MAX_DEPTH = 5
# Whole numbers as PostgreSQL's bigint holds them.
MAX_INT = 2**63 - 1
MIN_INT = -(2**63)
# A body with more levels than this is refused without parsing; up to it, parsing is safe
# and the walk below names the field that is too deep.
_PARSE_DEPTH = 64
MAX_REPORTED = 20

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
JSON_ONLY = "Send a JSON object with Content-Type: application/json"
TOO_DEEP = f"Nested too deeply: at most {MAX_DEPTH} levels of objects and lists"


def json_object(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The request body as a JSON object, or a 4xx response naming what is wrong with it:
    413 for a body too large, 415 for one not sent as JSON, 400 for anything else (field
    `body`, or the field at fault)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return errors(413, {"body": [f"The body must be {MAX_BODY_BYTES:,} bytes or fewer"]})
    if declared and request.content_type != "application/json":
        return errors(415, {"body": [JSON_ONLY]})
    raw = request.body
    if len(raw) > MAX_BODY_BYTES:
        return errors(413, {"body": [f"The body must be {MAX_BODY_BYTES:,} bytes or fewer"]})
    if not raw:
        return errors(400, {"body": ["Expected a JSON object"]})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return errors(400, {"body": ["Malformed JSON: not UTF-8"]})
    if _depth(text) > _PARSE_DEPTH:
        return errors(400, {"body": [TOO_DEEP]})
    try:
        body = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        return errors(400, {"body": [f"Malformed JSON: {exc}"]})
    except (ValueError, RecursionError) as exc:
        # NaN or Infinity, or a number of more digits than Python converts (4,300).
        reason = str(exc) if "JSON number" in str(exc) else "a number has too many digits"
        return errors(400, {"body": [f"Malformed JSON: {reason}"]})
    if not isinstance(body, dict):
        return errors(400, {"body": ["Expected a JSON object"]})
    wrong = unstorable(body)
    if wrong:
        return errors(400, wrong)
    return body


def unstorable(body: dict[str, Any]) -> dict[str, list[str]]:
    """Per field (dotted path, list items by index), what no field can hold: nesting deeper
    than `MAX_DEPTH`, NUL or a lone surrogate in text or a name, a whole number beyond 64
    bits, an infinite number. Walked with a stack, not recursion; the first `MAX_REPORTED`
    fields at fault are named."""
    found: dict[str, list[str]] = {}
    stack: list[tuple[str, Any, int]] = [("", body, 1)]
    while stack and len(found) < MAX_REPORTED:
        path, value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                found.setdefault(path or "body", []).append(TOO_DEEP)
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                name = str(key)
                if _UNSTORABLE.search(name):
                    found.setdefault(_printable(f"{path}.{name}" if path else name), []).append(
                        "A field name must not contain NUL characters or lone surrogates"
                    )
                    continue
                stack.append((f"{path}.{name}" if path else name, item, depth + 1))
        elif isinstance(value, str):
            if "\x00" in value:
                found.setdefault(path, []).append("Text must not contain NUL characters")
            elif _UNSTORABLE.search(value):
                found.setdefault(path, []).append(
                    "Text must not contain lone surrogates (\\ud800 to \\udfff): not Unicode"
                )
        elif isinstance(value, bool) or value is None:
            pass
        elif isinstance(value, int):
            if not MIN_INT <= value <= MAX_INT:
                found.setdefault(path, []).append("Number too large")
        elif isinstance(value, float) and not math.isfinite(value):
            found.setdefault(path, []).append("Number too large")
    return found


def _depth(text: str) -> int:
    """How deeply objects and lists nest in JSON text (strings skipped), without parsing it."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _printable(name: str) -> str:
    return _UNSTORABLE.sub("\ufffd", name)


def json_doc(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An OpenAPI response (or request body) of JSON with this schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_doc(description: str) -> dict[str, Any]:
    """An OpenAPI error response: `{"errors": {field: [message, ...]}}`."""
    return json_doc(ERRORS_SCHEMA, description)


def body_responses() -> dict[str, dict[str, Any]]:
    """The OpenAPI responses of `json_object`'s refusals, for every operation with a body."""
    return {
        "400": error_doc("Malformed JSON, or a field no field can hold (the field is named)"),
        "413": error_doc(f"The body is over {MAX_BODY_BYTES:,} bytes"),
        "415": error_doc("The body was not sent as application/json"),
    }
