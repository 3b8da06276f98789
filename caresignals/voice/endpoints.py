"""The voice domain's HTTP API endpoints: `POST /api/v1/public/feedback` (docs/api.md).

One router for the app, composed into the one API in caresignals/api/endpoints.py.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from caresignals.audit.services import Actor
from caresignals.core.api import error_doc, errors, json_doc, json_object
from caresignals.core.ratelimit import PUBLIC_RATE, PUBLIC_WINDOW, check
from caresignals.voice.models import Channel, new_feedback_reference
from caresignals.voice.public import FIELDS, check_body
from caresignals.voice.services import FeedbackInvalid, receive_feedback

router = Router()

_FEEDBACK_SCHEMA = {
    "type": "object",
    "properties": {
        **{
            name: {
                "type": "boolean" if name.startswith("consent") else "string",
                "description": text,
            }
            for name, text in FIELDS.items()
            if name != "contact"
        },
        "contact": {
            "type": "object",
            "description": FIELDS["contact"],
            "properties": {n: {"type": "string"} for n in ("name", "email", "phone")},
            "additionalProperties": False,
        },
    },
    "required": ["org_code", "kind"],
    "additionalProperties": False,
}


@router.post(
    "/public/feedback",
    url_name="public_feedback",
    auth=None,
    tags=["public"],
    summary="Give feedback, a compliment, a complaint or a Friends and Family Test answer",
    description=f"No token needed; at most {PUBLIC_RATE} requests a minute from one address "
    "(then 429 with Retry-After). A complaint needs contact details. Answers with the "
    "reference only.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _FEEDBACK_SCHEMA}},
        },
        "responses": {
            "201": json_doc(
                {"type": "object", "properties": {"reference": {"type": "string"}}},
                "Received: the feedback's reference",
            ),
            "400": error_doc("Malformed JSON"),
            "422": error_doc("Invalid fields; nothing was stored"),
            "429": error_doc("Too many requests from this address; see Retry-After"),
        },
    },
)
def give_feedback(request: HttpRequest) -> HttpResponse:
    decision = check(request, "public-feedback", rate=PUBLIC_RATE, window=PUBLIC_WINDOW)
    if not decision.allowed:
        return errors(
            429,
            {"non_field_errors": ["Too many requests from this address; try again later"]},
            Retry_After=str(decision.retry_after),
        )
    body = json_object(request)
    if isinstance(body, JsonResponse):
        return body
    if body.get("website"):
        # A form-filling robot: answer as if received, store nothing.
        return JsonResponse({"reference": new_feedback_reference()}, status=201)
    item, invalid = check_body(body)
    if item is None:
        return errors(422, invalid)
    try:
        feedback = receive_feedback(
            item, channel=Channel.API, actor=Actor(label="public feedback via the API")
        )
    except FeedbackInvalid as failed:
        return errors(422, failed.errors)
    return JsonResponse({"reference": feedback.reference}, status=201)
