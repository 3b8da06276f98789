"""Safety's HTTP API endpoints (`/api/v1/events`, `/api/v1/public/events`, docs/api.md).

Staff endpoints take `Authorization: Bearer <token>` (tokens from `caresignals token create`);
the session is never used, so the API needs no CSRF token. What the caller may not see is
reported as not found (404), never forbidden. Events go through exactly the importer's rules
(`safety.services.record_event`). The router is composed into the one API in
caresignals/api/endpoints.py; the shared helpers are in core/api.py.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router

from caresignals.audit.services import Actor
from caresignals.core.api import NOT_FOUND, caller, error_doc, errors, json_doc, json_object
from caresignals.core.ratelimit import PUBLIC_RATE, PUBLIC_WINDOW, check
from caresignals.core.references import new_short_reference
from caresignals.organisations.scoping import scope_for
from caresignals.safety.events import queries_api as queries
from caresignals.safety.events.exports import EXPORT_FIELDS, new_record
from caresignals.safety.events.formats import CANDOUR_CSV_COLUMNS, EVENT_CSV_COLUMNS
from caresignals.safety.events.public import (
    PUBLIC_BOOL,
    PUBLIC_EXTRA,
    PUBLIC_REQUIRED,
    PUBLIC_TEXT,
    public_row,
)
from caresignals.safety.events.services import EventInvalid, OutOfScope, record_event

# Operation ids as published before the endpoints moved here from caresignals.api.endpoints:
# clients generate code from them.
router = Router()

MAX_PAGE = 1000
DEFAULT_PAGE = 100
MAX_OFFSET = 10**9  # far beyond any list, and within every database's integers


_SCALAR = (str, bool, int, float)
_VALUE_SCHEMA = {"type": ["string", "boolean", "number", "null"]}
_RECORD_SCHEMA = {
    "type": "object",
    "description": "The event's events.csv fields, its reference and its derived fields "
    "(as `caresignals export events` writes them); undefined values are null.",
    "properties": {name: {} for name in EXPORT_FIELDS},
}


# -- staff: events ---------------------------------------------------------------------------


@router.post(
    "/events",
    url_name="events",
    operation_id="caresignals_api_endpoints_create_event",
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
                        "`source_id` is made up when left out. The optional candour fields "
                        "carry the Duty of Candour steps your system holds: left out, the "
                        "notification's clock runs here from reported_on.",
                        "properties": {
                            name: _VALUE_SCHEMA
                            for name in (*EVENT_CSV_COLUMNS, *CANDOUR_CSV_COLUMNS)
                        },
                        "additionalProperties": False,
                    }
                }
            },
        },
        "responses": {
            "201": json_doc(_RECORD_SCHEMA, "Recorded: the event with its derived fields"),
            "400": error_doc("Malformed JSON"),
            "401": error_doc("No valid token"),
            "404": error_doc("The organisation is unknown or outside your scope"),
            "422": error_doc("Invalid fields; nothing was stored"),
        },
    },
)
def create_event(request: HttpRequest) -> HttpResponse:
    body = json_object(request)
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
    user = caller(request)
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


@router.get(
    "/events/{reference}",
    url_name="event",
    operation_id="caresignals_api_endpoints_get_event",
    tags=["events"],
    summary="One event, with its derived fields",
    openapi_extra={
        "responses": {
            "200": json_doc(_RECORD_SCHEMA, "The event"),
            "401": error_doc("No valid token"),
            "404": error_doc("No such event, or not yours to see"),
        }
    },
)
def get_event(request: HttpRequest, reference: str) -> HttpResponse:
    found = queries.event_record(caller(request), reference)
    if found is None:
        return errors(404, {"reference": [NOT_FOUND]})
    return JsonResponse(found)


@router.get(
    "/events",
    url_name="events",
    operation_id="caresignals_api_endpoints_list_events",
    tags=["events"],
    summary="Events you may see, newest reported first",
    description="At and beneath the organisation `org` if given (else everything you may "
    "see), ordered by reported_on (newest first) then reference. Paginate with `limit` "
    f"(default {DEFAULT_PAGE}, at most {MAX_PAGE}) and `offset` (at most {MAX_OFFSET:,}).",
    openapi_extra={
        "responses": {
            "200": json_doc(
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
            "401": error_doc("No valid token"),
            "404": error_doc("The organisation is unknown or outside your scope"),
            "422": error_doc("Invalid limit or offset"),
        }
    },
)
def list_events(
    request: HttpRequest,
    org: str | None = Query(None, description="organisation code"),
    limit: int = Query(DEFAULT_PAGE, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> HttpResponse:
    organisation = None
    if org:
        organisation = queries.visible_organisation(caller(request), org)
        if organisation is None:
            return errors(404, {"org": [NOT_FOUND]})
    count, items = queries.event_records(caller(request), organisation, limit=limit, offset=offset)
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


@router.post(
    "/public/events",
    url_name="public_events",
    operation_id="caresignals_api_endpoints_report_event",
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
            "201": json_doc(
                {"type": "object", "properties": {"reference": {"type": "string"}}},
                "Received: the report's reference",
            ),
            "400": error_doc("Malformed JSON"),
            "422": error_doc("Invalid fields; nothing was stored"),
            "429": error_doc("Too many reports from this address; see Retry-After"),
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
    body = json_object(request)
    if isinstance(body, JsonResponse):
        return body
    if body.get("website"):
        # A form-filling robot: answer as if received, store nothing.
        return JsonResponse({"reference": new_short_reference()}, status=201)
    row, invalid_fields = public_row(body)
    if invalid_fields:
        return errors(422, invalid_fields)
    try:
        event = record_event(row, actor=Actor(label="public report via the API"), public=True)
    except EventInvalid as invalid:
        return errors(422, invalid.errors)
    return JsonResponse({"reference": event.reference}, status=201)
