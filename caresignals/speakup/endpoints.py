"""The speakup domain's HTTP API endpoints (docs/api.md): raise a concern anonymously, then
read replies and answer with the access code in the `X-Access-Code` header.

One router for the app, composed into the one API in caresignals/api/endpoints.py.
Nothing about the caller is stored; the throttles live in memory only (core/ratelimit.py).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from caresignals.core.api import error_doc, errors, json_doc, json_object
from caresignals.core.ratelimit import PUBLIC_RATE, PUBLIC_WINDOW, check
from caresignals.speakup import codes, queries, services
from caresignals.speakup.access import open_case
from caresignals.speakup.forms import ConcernForm, MessageForm, errors_of
from caresignals.speakup.models import SpeakUpCase, SpeakUpMessage
from caresignals.speakup.vocabulary import PROFESSIONAL_GROUPS, Category, Route

router = Router()

RATE_SCOPE = "public-speakup"
NOT_RECOGNISED = "No case with this reference and access code"
_CODE_HEADER = {
    "in": "header",
    "name": "X-Access-Code",
    "required": True,
    "schema": {"type": "string"},
    "description": "The access code shown once when the concern was raised",
}
_MESSAGE_SCHEMA = {
    "type": "object",
    "properties": {
        "sequence": {"type": "integer"},
        "from": {"type": "string", "enum": ["reporter", "guardian"]},
        "text": {"type": "string"},
        "sent_on": {"type": "string", "format": "date"},
    },
}
_CASE_SCHEMA = {
    "type": "object",
    "properties": {
        "reference": {"type": "string"},
        "org_code": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "raised_on": {"type": "string", "format": "date"},
        "concern": {"type": "string"},
        "categories": {"type": "array", "items": {"type": "string"}},
        "messages": {"type": "array", "items": _MESSAGE_SCHEMA},
    },
}


def _message(m: SpeakUpMessage) -> dict[str, Any]:
    return {"sequence": m.sequence, "from": m.author, "text": m.text, "sent_on": str(m.sent_on)}


def _case(case: SpeakUpCase) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "org_code": case.organisation.code,
        "status": case.status,
        "raised_on": str(case.raised_on),
        "concern": case.concern,
        "categories": case.categories,
        "messages": [_message(m) for m in queries.thread(case)],
    }


def _too_many(retry_after: int) -> JsonResponse:
    return errors(
        429,
        {"non_field_errors": ["Too many attempts; try again later"]},
        Retry_After=str(retry_after),
    )


@router.post(
    "/public/speakup",
    url_name="public_speakup",
    auth=None,
    tags=["public"],
    summary="Raise a Freedom to Speak Up concern anonymously (staff)",
    description=f"No token needed; at most {PUBLIC_RATE} requests a minute from one address. "
    "Answers with the case's reference and its access code, once: the code is stored only as a "
    "hash and cannot be shown again. Nothing about the sender is stored.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "org_code": {"type": "string"},
                            "concern": {"type": "string"},
                            "categories": {
                                "type": "array",
                                "items": {"type": "string", "enum": Category.values},
                            },
                            "professional_group": {
                                "type": "string",
                                "enum": [c for c, _ in PROFESSIONAL_GROUPS],
                            },
                            "website": {"type": "string", "description": "Leave out (honeypot)"},
                        },
                        "required": ["org_code", "concern"],
                    }
                }
            },
        },
        "responses": {
            "201": json_doc(
                {
                    "type": "object",
                    "properties": {
                        "reference": {"type": "string"},
                        "access_code": {"type": "string"},
                    },
                },
                "Raised: the reference and the access code (shown once)",
            ),
            "400": error_doc("Malformed JSON"),
            "422": error_doc("Invalid fields; nothing was stored"),
            "429": error_doc("Too many requests from this address; see Retry-After"),
        },
    },
)
def raise_speakup(request: HttpRequest) -> HttpResponse:
    decision = check(request, RATE_SCOPE, rate=PUBLIC_RATE, window=PUBLIC_WINDOW)
    if not decision.allowed:
        return _too_many(decision.retry_after)
    body = json_object(request)
    if isinstance(body, JsonResponse):
        return body
    if body.get("website"):
        # A form-filling robot: answer as if raised, store nothing.
        reply = {"reference": codes.new_reference(), "access_code": codes.new_access_code()}
        return JsonResponse(reply, status=201)
    unknown = sorted(set(body) - {"org_code", "concern", "categories", "professional_group"})
    if unknown:
        return errors(422, {name: ["Unknown field"] for name in unknown})
    categories = body.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        return errors(422, {"categories": ["Expected a list of category codes"]})
    data = {
        "org_code": body.get("org_code"),
        "concern": body.get("concern"),
        "professional_group": body.get("professional_group") or "",
    }
    wrong = {
        k: ["Expected text"] for k, v in data.items() if v is not None and not isinstance(v, str)
    }
    if wrong:
        return errors(422, wrong)
    form = ConcernForm(
        {**data, "categories": categories},
        organisations=queries.public_providers(),
        with_route=False,
    )
    if not form.is_valid():
        return errors(422, errors_of(form))
    organisation = queries.provider(form.cleaned_data["org_code"])
    if organisation is None:
        return errors(422, {"org_code": ["Select your organisation"]})
    raised = services.raise_concern(
        organisation=organisation,
        route=Route.ANONYMOUS,
        concern=form.cleaned_data["concern"],
        categories=form.cleaned_data["categories"],
        professional_group=form.cleaned_data["professional_group"],
    )
    return JsonResponse(
        {"reference": raised.case.reference, "access_code": raised.access_code}, status=201
    )


_REFERENCE_HEADER = {
    "in": "header",
    "name": "X-Case-Reference",
    "required": True,
    "schema": {"type": "string"},
    "description": "The case's reference, e.g. FTSU-7KQ2MZ9X",
}
_ANSWER_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"text": {"type": "string"}},
                "required": ["text"],
            }
        }
    },
}
_READ_RESPONSES = {
    "200": json_doc(_CASE_SCHEMA, "The case and its messages"),
    "404": error_doc("No case with this reference and access code"),
    "429": error_doc("Too many attempts; see Retry-After"),
}
_ANSWER_RESPONSES = {
    "201": json_doc(_MESSAGE_SCHEMA, "Sent"),
    "400": error_doc("Malformed JSON"),
    "404": error_doc("No case with this reference and access code"),
    "422": error_doc("Invalid text, or the case is closed; nothing was stored"),
    "429": error_doc("Too many attempts; see Retry-After"),
}
_OLD_ROUTE = (
    " Deprecated: this route carries the reference in its URL, where a server log may keep it "
    "beside the sender's address; use the route with the `X-Case-Reference` header."
)


def _opened(request: HttpRequest, reference: str) -> SpeakUpCase | JsonResponse:
    """The case, or one answer, byte for byte the same, for an unknown reference and a wrong
    code (so the answer's size does not tell whether a case exists)."""
    code = request.headers.get("X-Access-Code", "")
    if not code or not reference:
        return errors(404, {"reference": [NOT_RECOGNISED]})
    access = open_case(request, reference, code)
    if access.throttled:
        return _too_many(access.retry_after)
    if access.case is None:
        return errors(404, {"reference": [NOT_RECOGNISED]})
    return access.case


def _read(request: HttpRequest, reference: str) -> HttpResponse:
    opened = _opened(request, reference)
    if isinstance(opened, JsonResponse):
        return opened
    response = JsonResponse(_case(opened))
    response["Cache-Control"] = "no-store"
    return response


def _answer(request: HttpRequest, reference: str) -> HttpResponse:
    opened = _opened(request, reference)
    if isinstance(opened, JsonResponse):
        return opened
    body = json_object(request)
    if isinstance(body, JsonResponse):
        return body
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        return errors(422, {"text": ["Expected text"]})
    form = MessageForm({"text": text or ""})
    if not form.is_valid():
        return errors(422, errors_of(form))
    try:
        message = services.reporter_message(opened, form.cleaned_data["text"])
    except services.CaseClosed:
        return errors(422, {"text": ["This case is closed; raise a new concern"]})
    return JsonResponse(_message(message), status=201)


# The header routes come first: `/public/speakup/case` must not be read as a reference.
@router.get(
    "/public/speakup/case",
    url_name="public_speakup_reporter_case",
    auth=None,
    tags=["public"],
    summary="Read your concern and the guardian's replies",
    description="Send the reference in the `X-Case-Reference` header and the access code in "
    "`X-Access-Code`: neither appears in the URL, so no server log keeps them. A wrong code "
    f"and an unknown reference both answer the same 404; after {codes.FAILURES_PER_REFERENCE} "
    "wrong codes for one reference, or too many attempts from one address, 429 with "
    "Retry-After.",
    openapi_extra={
        "parameters": [_REFERENCE_HEADER, _CODE_HEADER],
        "responses": _READ_RESPONSES,
    },
)
def read_speakup_case(request: HttpRequest) -> HttpResponse:
    return _read(request, request.headers.get("X-Case-Reference", ""))


@router.post(
    "/public/speakup/case/messages",
    url_name="public_speakup_reporter_messages",
    auth=None,
    tags=["public"],
    summary="Answer the guardian",
    description="Send the reference in the `X-Case-Reference` header, the access code in "
    '`X-Access-Code` and `{"text": ...}`.',
    openapi_extra={
        "parameters": [_REFERENCE_HEADER, _CODE_HEADER],
        "requestBody": _ANSWER_BODY,
        "responses": _ANSWER_RESPONSES,
    },
)
def answer_speakup_case(request: HttpRequest) -> HttpResponse:
    return _answer(request, request.headers.get("X-Case-Reference", ""))


@router.get(
    "/public/speakup/{reference}",
    url_name="public_speakup_case",
    auth=None,
    tags=["public"],
    summary="Read your concern and the guardian's replies (deprecated)",
    description="Send the access code in the `X-Access-Code` header. A wrong code and an unknown "
    f"reference both answer 404; after {codes.FAILURES_PER_REFERENCE} wrong codes for one "
    "reference, or too many attempts from one address, 429 with Retry-After." + _OLD_ROUTE,
    deprecated=True,
    openapi_extra={"parameters": [_CODE_HEADER], "responses": _READ_RESPONSES},
)
def read_speakup(request: HttpRequest, reference: str) -> HttpResponse:
    return _read(request, reference)


@router.post(
    "/public/speakup/{reference}/messages",
    url_name="public_speakup_messages",
    auth=None,
    tags=["public"],
    summary="Answer the guardian (deprecated)",
    description='Send the access code in the `X-Access-Code` header and `{"text": ...}`.'
    + _OLD_ROUTE,
    deprecated=True,
    openapi_extra={
        "parameters": [_CODE_HEADER],
        "requestBody": _ANSWER_BODY,
        "responses": _ANSWER_RESPONSES,
    },
)
def answer_speakup(request: HttpRequest, reference: str) -> HttpResponse:
    return _answer(request, reference)
