"""The HTTP API, `/api/v1/` (docs/api.md), with its OpenAPI schema and docs.

Staff endpoints take `Authorization: Bearer <token>` (tokens from `caresignals token create`);
the session is never used, so the API needs no CSRF token. What the caller may not see is
reported as not found (404), never forbidden. Errors are `{"errors": {field: [message, ...]}}`.

Request bodies are parsed here rather than by pydantic models so that every error, malformed
JSON included, comes back in that one shape, and so that events go through exactly the
importer's rules (`safety.services.record_event`). Their JSON schemas are still published in
the OpenAPI document.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Query, Swagger
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from caresignals.api import queries
from caresignals.api.ratelimit import PUBLIC_RATE, PUBLIC_WINDOW, check
from caresignals.api.tokens import user_for_token
from caresignals.audit.services import Actor
from caresignals.organisations.scoping import scope_for
from caresignals.safety.exports import EXPORT_FIELDS, new_record
from caresignals.safety.formats import EVENT_CSV_COLUMNS
from caresignals.safety.models import new_reference
from caresignals.safety.public import (
    PUBLIC_BOOL,
    PUBLIC_EXTRA,
    PUBLIC_REQUIRED,
    PUBLIC_TEXT,
    public_row,
)
from caresignals.safety.services import EventInvalid, OutOfScope, record_event

MAX_PAGE = 1000
DEFAULT_PAGE = 100
NOT_FOUND = "Not found, or not yours to see"


def _caller(request: HttpRequest) -> Any:
    """The user whose token authenticated this request (django-ninja sets `request.auth`)."""
    return getattr(request, "auth", None)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return user_for_token(token)


api = NinjaAPI(
    title="Care Signals API",
    version="1",
    description=(
        "Record and read patient-safety events (staff, with a bearer token from "
        "`caresignals token create USER`), and report a safety concern as a member of the "
        "public (no token; rate-limited). Errors are "
        '`{"errors": {"field": ["message", ...]}}`.'
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    # Swagger UI from the copy django-ninja ships ("ninja" is an installed app), so the
    # page loads nothing from other hosts; no call to the online spec validator either.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def errors(status: int, errs: dict[str, list[str]], **headers: str) -> JsonResponse:
    response = JsonResponse({"errors": errs}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: Exception) -> HttpResponse:
    return errors(
        401,
        {"authorization": ["Send a valid API token: Authorization: Bearer <token>"]},
        WWW_Authenticate="Bearer",
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errs: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body")]
        errs.setdefault(".".join(loc) or "non_field_errors", []).append(str(error.get("msg")))
    return errors(422, errs)


def _json_object(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The request body as a JSON object, or a 400 response saying what is wrong with it."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        return errors(400, {"body": [f"Malformed JSON: {exc}"]})
    if not isinstance(body, dict):
        return errors(400, {"body": ["Expected a JSON object"]})
    return body


_SCALAR = (str, bool, int, float)
_VALUE_SCHEMA = {"type": ["string", "boolean", "number", "null"]}
_ERRORS_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }
    },
    "required": ["errors"],
}
_RECORD_SCHEMA = {
    "type": "object",
    "description": "The event's events.csv fields, its reference and its derived fields "
    "(as `caresignals export events` writes them); undefined values are null.",
    "properties": {name: {} for name in EXPORT_FIELDS},
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ERRORS_SCHEMA, description)


# -- staff: events ---------------------------------------------------------------------------


@api.post(
    "/events",
    url_name="events",
    tags=["events"],
    summary="Record a patient-safety event",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "The events.csv fields (docs/import-formats.md); "
                        "`source_id` is made up when left out.",
                        "properties": {name: _VALUE_SCHEMA for name in EVENT_CSV_COLUMNS},
                        "additionalProperties": False,
                    }
                }
            },
        },
        "responses": {
            "201": _json(_RECORD_SCHEMA, "Recorded: the event with its derived fields"),
            "400": _error("Malformed JSON"),
            "401": _error("No valid token"),
            "404": _error("The organisation is unknown or outside your scope"),
            "422": _error("Invalid fields; nothing was stored"),
        },
    },
)
def create_event(request: HttpRequest) -> HttpResponse:
    body = _json_object(request)
    if isinstance(body, JsonResponse):
        return body
    wrong = {
        name: ["Expected text, a boolean or a number"]
        for name, value in body.items()
        if value is not None and not isinstance(value, _SCALAR)
    }
    if wrong:
        return errors(422, wrong)
    # Scope first (record_event checks it before anything else); a missing code is left to
    # record_event, which refuses it.
    user = _caller(request)
    actor = Actor(user=user, label="via the API")
    try:
        event = record_event(body, actor=actor, scope=scope_for(user))
    except OutOfScope:
        return errors(404, {"org_code": [NOT_FOUND]})
    except EventInvalid as invalid:
        return errors(422, invalid.errors)
    response = JsonResponse(new_record(event), status=201)
    response["Location"] = f"{request.path.rstrip('/')}/{event.reference}"
    return response


@api.get(
    "/events/{reference}",
    url_name="event",
    tags=["events"],
    summary="One event, with its derived fields",
    openapi_extra={
        "responses": {
            "200": _json(_RECORD_SCHEMA, "The event"),
            "401": _error("No valid token"),
            "404": _error("No such event, or not yours to see"),
        }
    },
)
def get_event(request: HttpRequest, reference: str) -> HttpResponse:
    found = queries.event_record(_caller(request), reference)
    if found is None:
        return errors(404, {"reference": [NOT_FOUND]})
    return JsonResponse(found)


@api.get(
    "/events",
    url_name="events",
    tags=["events"],
    summary="Events you may see, newest reported first",
    description="At and beneath the organisation `org` if given (else everything you may "
    "see), ordered by reported_on (newest first) then reference. Paginate with `limit` "
    f"(default {DEFAULT_PAGE}, at most {MAX_PAGE}) and `offset`.",
    openapi_extra={
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer", "description": "events in all pages"},
                        "limit": {"type": "integer"},
                        "offset": {"type": "integer"},
                        "items": {"type": "array", "items": _RECORD_SCHEMA},
                    },
                },
                "A page of events",
            ),
            "401": _error("No valid token"),
            "404": _error("The organisation is unknown or outside your scope"),
            "422": _error("Invalid limit or offset"),
        }
    },
)
def list_events(
    request: HttpRequest,
    org: str | None = Query(None, description="organisation code"),
    limit: int = Query(DEFAULT_PAGE, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> HttpResponse:
    organisation = None
    if org:
        organisation = queries.visible_organisation(_caller(request), org)
        if organisation is None:
            return errors(404, {"org": [NOT_FOUND]})
    count, items = queries.event_records(_caller(request), organisation, limit=limit, offset=offset)
    return JsonResponse({"count": count, "limit": limit, "offset": offset, "items": items})


# -- public: a patient, family member or carer reports a safety concern -----------------------

_PUBLIC_SCHEMA = {
    "type": "object",
    "properties": {
        **{
            name: {
                "type": "integer" if name == "patient_age_years" else "string",
                "description": text,
            }
            for name, text in PUBLIC_TEXT.items()
        },
        **{name: {"type": "boolean", "description": t} for name, t in PUBLIC_BOOL.items()},
        "contact": {"type": ["object", "string", "null"], "description": PUBLIC_EXTRA["contact"]},
        "website": {"type": "string", "description": PUBLIC_EXTRA["website"]},
    },
    "required": list(PUBLIC_REQUIRED),
    "additionalProperties": False,
}


@api.post(
    "/public/events",
    url_name="public_events",
    auth=None,
    tags=["public"],
    summary="Report a patient-safety concern (patients, families and carers)",
    description=f"No token needed; at most {PUBLIC_RATE} requests a minute from one address "
    "(then 429 with Retry-After). Answers with the report's reference only.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _PUBLIC_SCHEMA}},
        },
        "responses": {
            "201": _json(
                {"type": "object", "properties": {"reference": {"type": "string"}}},
                "Received: the report's reference",
            ),
            "400": _error("Malformed JSON"),
            "422": _error("Invalid fields; nothing was stored"),
            "429": _error("Too many reports from this address; see Retry-After"),
        },
    },
)
def report_event(request: HttpRequest) -> HttpResponse:
    decision = check(request, "public", rate=PUBLIC_RATE, window=PUBLIC_WINDOW)
    if not decision.allowed:
        return errors(
            429,
            {"non_field_errors": ["Too many reports from this address; try again later"]},
            Retry_After=str(decision.retry_after),
        )
    body = _json_object(request)
    if isinstance(body, JsonResponse):
        return body
    if body.get("website"):
        # A form-filling robot: answer as if received, store nothing.
        return JsonResponse({"reference": new_reference()}, status=201)
    row, invalid_fields = public_row(body)
    if invalid_fields:
        return errors(422, invalid_fields)
    try:
        event = record_event(row, actor=Actor(label="public report via the API"))
    except EventInvalid as invalid:
        return errors(422, invalid.errors)
    return JsonResponse({"reference": event.reference}, status=201)


# Each domain registers its own endpoints on `api`; importing them here makes the URLs.
from caresignals.signals import endpoints as _signals  # noqa: E402, F401
from caresignals.speakup import endpoints as _speakup  # noqa: E402, F401
from caresignals.voice import endpoints as _voice  # noqa: E402, F401
