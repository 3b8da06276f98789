"""The second factor, before anything else, for the people whose roles need one (ADR 20).

After a local password, a person with such a role reaches nothing but the pages to give their
second factor (or set one up, if they have none yet) and to sign out; public pages stay open.
People signed in through the organisation's identity provider are not asked: the provider
applies its own second factor (NHS CIS2 smartcards and authenticators, Entra ID's
multi-factor policies). Off when CARESIGNALS_REQUIRE_SECOND_FACTOR is off (the demo).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from caresignals.organisations import second_factor
from caresignals.organisations.roles import needs_second_factor

# The pages a person waiting for their second factor may still open.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {"logout", "second_factor", "second_factor_verify", "second_factor_remove"}
)


def signed_in_with_identity_provider(request: HttpRequest) -> bool:
    return request.session.get(BACKEND_SESSION_KEY) == settings.IDENTITY_PROVIDER_BACKEND


def second_factor_outstanding(request: HttpRequest) -> bool:
    """Whether this signed-in person must still give (or set up) a second factor."""
    user: Any = request.user
    is_verified = getattr(user, "is_verified", None)  # django-otp's middleware sets it
    return bool(
        settings.CARESIGNALS_REQUIRE_SECOND_FACTOR
        and user.is_authenticated
        and not (is_verified and is_verified())
        and not signed_in_with_identity_provider(request)
        and needs_second_factor(user)
    )


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], *args: Any
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True):
            return None  # public pages (`login_not_required`), the API's own token sign-in
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        return second_factor_redirect(request)


def second_factor_redirect(request: HttpRequest) -> HttpResponse | None:
    """Where a person who must still give a second factor goes first (None: nowhere). A
    public page that shows more to someone signed in (the home page) asks this itself."""
    if not second_factor_outstanding(request):
        return None
    user: Any = request.user
    name = "second_factor_verify" if second_factor.has_second_factor(user) else "second_factor"
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(name)}?{query}")
