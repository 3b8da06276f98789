"""Middleware of our own: response headers that Django does not set itself, and requests
refused before any view runs.

A strict Content Security Policy: pages may load nothing from any other host. The design
system's page template adds one inline script; it carries a per-request nonce (the template's
own `cspNonce` option) so inline scripts need not be allowed.

Private responses: every page and API answer is generated for one person (complaints with
contact details, speak-up cases, events, the audit log), so none may be kept by a browser or a
shared cache; only the design system's static files may.

Failed sign-ins per address: django-axes pauses an account after a few wrong passwords from
anywhere (settings). Hospitals put hundreds of staff behind one NAT address, so a limit per
address must be far higher, and it only stops one address trying many accounts. Failures are
counted from Django's `user_login_failed` signal (connected in core/apps.py) in memory
(core/ratelimit.py), and a sign-in from an address over the limit is refused before it is
checked.

Unstorable input: PostgreSQL can neither store nor compare text holding a NUL character, so a
NUL anywhere in the address, a query parameter or a form field (name or value) is answered
400 before any view runs; the API's answer is JSON naming the parameter. Django's own text
fields refuse NUL too; this covers every view that reads a parameter without a form. (Lone
surrogates cannot arrive this way: Django decodes addresses and forms with replacement
characters. JSON bodies are checked by `core.api.json_object`.)
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.urls import reverse

from caresignals.core import ratelimit
from caresignals.core.api import errors
from caresignals.core.clients import client_address
from caresignals.core.views import too_many

SIGN_IN_FAILURES = "sign-in-failures-per-address"

POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY.format(nonce=nonce))
        return response


class PrivateResponsesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static = settings.STATIC_URL

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(self.static):
            response.headers["Cache-Control"] = "no-store"
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def count_failed_sign_in(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """`user_login_failed`: one more failure for the address the attempt came from."""
    if request is None:
        return
    ratelimit.count(
        SIGN_IN_FAILURES,
        client_address(request) or "unknown",
        window=settings.SIGNIN_ADDRESS_WINDOW_SECONDS,
    )


class SignInThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == reverse(settings.LOGIN_URL):
            address = client_address(request) or "unknown"
            failures = ratelimit.counted(SIGN_IN_FAILURES, address)
            if failures >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
                retry_after = ratelimit.seconds_left(SIGN_IN_FAILURES, address)
                return too_many(
                    request, "registration/locked_out_address.jinja", "Sign-in paused", retry_after
                )
        return self.get_response(request)


NUL_REFUSED = "NUL characters are not allowed"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class UnstorableInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _nul_in(request)
        if field is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return errors(400, {field: [NUL_REFUSED]})
        return HttpResponseBadRequest(
            f"{NUL_REFUSED} in a web address or form.", content_type="text/plain"
        )


def _nul_in(request: HttpRequest) -> str | None:
    """The first parameter holding a NUL character (`path` for the address), or None."""
    if "\x00" in request.path:
        return "path"
    params: list[QueryDict] = [request.GET]
    # The API reads its own bodies (core/api.py); reading a form here would use up the stream.
    if request.content_type in _FORMS and not request.path.startswith("/api/"):
        params.append(request.POST)
    for data in params:
        for name, values in data.lists():
            if "\x00" in name or any("\x00" in v for v in values if isinstance(v, str)):
                return name.replace("\x00", "\ufffd")
    return None
