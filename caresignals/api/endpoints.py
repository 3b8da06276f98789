"""The HTTP API, `/api/v1/` (docs/api.md), with its OpenAPI schema and docs.

The top of the layers (ADR 16): one django-ninja router per app (safety, signals, speakup,
voice; each in the app's endpoints module) composed into one API here, with token
authentication and the error handlers. Staff endpoints take `Authorization: Bearer <token>`
(tokens from `caresignals token create`); the session is never used, so the API needs no
CSRF token. Errors are `{"errors": {field: [message, ...]}}` (core/api.py).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from caresignals.api.tokens import user_for_token
from caresignals.core.api import body_responses, errors
from caresignals.safety.endpoints import router as safety_router
from caresignals.signals.endpoints import router as signals_router
from caresignals.speakup.endpoints import router as speakup_router
from caresignals.voice.endpoints import router as voice_router


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return user_for_token(token)


class CareSignalsAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The document, with the refusals every JSON body may get (core/api.py) listed on
        each operation that takes one."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    for status, doc in body_responses().items():
                        operation.setdefault("responses", {}).setdefault(status, doc)
        return schema


api = CareSignalsAPI(
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

# In this order, so that the OpenAPI document lists the paths as it always has.
for _router in (safety_router, signals_router, speakup_router, voice_router):
    api.add_router("", _router)


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
