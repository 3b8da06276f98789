"""Sign-in beyond the password form: the organisation's identity provider, and the second
factor (set up, give, replace). ADR 20; the rules are in organisations/identity.py,
organisations/second_factor.py and pages/middleware.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from caresignals.audit.services import Actor
from caresignals.organisations import identity, second_factor
from caresignals.organisations.identity import Refusal
from caresignals.organisations.roles import needs_second_factor
from caresignals.pages.middleware import signed_in_with_identity_provider

PENDING_SECRET = "second_factor_pending_secret"  # noqa: S105 (a session key's name)


def _identity_provider_on() -> None:
    if not settings.CARESIGNALS_OIDC_ENABLED:
        raise Http404


@method_decorator(login_not_required, name="dispatch")
class IdentityProviderStart(OIDCAuthenticationRequestView):
    """Sends the browser to the identity provider, remembering `next` and the state."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _identity_provider_on()
        return super().dispatch(request, *args, **kwargs)


# What the refusal page says, for each reason.
REFUSAL_TEXT: dict[str, str] = {
    Refusal.UNKNOWN: "You do not have a Care Signals account yet, or it is not linked to "
    "this account at {provider}. Ask your Care Signals administrator to add you, with the "
    "email address your organisation gave you.",
    Refusal.INACTIVE: "Your Care Signals account has been closed. If you still need it, ask "
    "your Care Signals administrator.",
    Refusal.AMBIGUOUS: "More than one Care Signals account has your email address, so Care "
    "Signals cannot tell which is yours. Ask your Care Signals administrator to correct it.",
    Refusal.SUBJECT_DIFFERS: "Your Care Signals account is linked to a different account at "
    "{provider}. Ask your Care Signals administrator.",
    Refusal.NO_CLAIM: "{provider} did not say who you are in a way Care Signals can use. Ask "
    "your Care Signals administrator.",
    Refusal.UNTRUSTED: "The answer from {provider} did not belong to a sign-in started in this "
    "browser, or could not be checked. Start again from the sign-in page.",
    Refusal.PROVIDER: "{provider} did not sign you in (perhaps the sign-in was cancelled). "
    "Start again from the sign-in page.",
    Refusal.UNREACHABLE: "Care Signals could not reach {provider}. Try again in a few minutes; "
    "if it keeps happening, tell your IT service desk.",
}


@method_decorator(login_not_required, name="dispatch")
class IdentityProviderCallback(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signed in, or a page saying why not."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _identity_provider_on()
        try:
            return super().dispatch(request, *args, **kwargs)
        except SuspiciousOperation:  # a state, nonce or signature that does not check out
            identity.refuse(request, Refusal.UNTRUSTED)
            return self.login_failure()
        except requests.RequestException:
            identity.refuse(request, Refusal.UNREACHABLE)
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        request = self.request
        reason = getattr(request, identity.REFUSAL_ATTRIBUTE, None)
        if reason is None:
            reason = Refusal.PROVIDER if request.GET.get("error") else Refusal.UNTRUSTED
            identity.refuse(request, reason)
        provider = settings.CARESIGNALS_OIDC_PROVIDER_NAME
        status = 403 if reason in {Refusal.UNKNOWN, Refusal.INACTIVE} else 400
        if reason == Refusal.UNREACHABLE:
            status = 502
        return render(
            request,
            "registration/identity_provider_refused.jinja",
            {
                "page_title": "You could not be signed in",
                "reason": str(reason),
                "explanation": REFUSAL_TEXT[reason].format(provider=provider),
            },
            status=status,
        )


def _next(request: HttpRequest) -> str:
    """Where to go once the second factor is given: `next` if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


def _to(name: str, request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': _next(request)})}")


def _verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


@require_http_methods(["GET", "POST"])
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """Set up a second factor, or see the one set up and replace it."""
    user: Any = request.user
    context: dict[str, Any] = {"page_title": "Your second factor", "next": _next(request)}
    has_one = second_factor.has_second_factor(user)
    if has_one and not _verified(request):
        # Whoever holds only the password may not replace the second factor.
        return _to("second_factor_verify", request)
    if has_one:
        context["recovery_codes_left"] = second_factor.recovery_codes_left(user)
        context["required"] = needs_second_factor(user)
        return render(request, "registration/second_factor.jinja", context)
    if not needs_second_factor(user) or signed_in_with_identity_provider(request):
        context["not_needed"] = True
        context["identity_provider"] = signed_in_with_identity_provider(request)
        context["provider"] = settings.CARESIGNALS_OIDC_PROVIDER_NAME
        return render(request, "registration/second_factor.jinja", context)

    secret = request.session.get(PENDING_SECRET) or second_factor.new_secret()
    request.session[PENDING_SECRET] = secret
    error = ""
    if request.method == "POST":
        done = second_factor.set_up(
            user, secret, request.POST.get("code", ""), actor=Actor(user=user)
        )
        if done is not None:
            del request.session[PENDING_SECRET]
            request.session.cycle_key()
            otp_login(request, done.device)
            return render(
                request,
                "registration/recovery_codes.jinja",
                {
                    "page_title": "Your recovery codes",
                    "codes": done.recovery_codes,
                    "next": _next(request),
                },
            )
        error = "Enter the 6-digit code your authenticator app shows now"
    context.update(
        {
            "page_title": "Set up a second factor",
            "setting_up": True,
            "qr_code": second_factor.qr_code_svg(user, secret),
            "secret_text": second_factor.secret_as_text(secret),
            "error": error,
        }
    )
    return render(request, "registration/second_factor.jinja", context, status=200)


@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code from the authenticator app (or a recovery code) after the password."""
    user: Any = request.user
    if _verified(request):
        return HttpResponseRedirect(_next(request))
    if not second_factor.has_second_factor(user):
        return _to("second_factor", request)
    error = ""
    if request.method == "POST":
        device = second_factor.verify(user, request.POST.get("code", ""), actor=Actor(user=user))
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = second_factor.recovery_codes_left(user)
                messages.info(
                    request,
                    f"You used a recovery code; {left} left. If you have lost your phone, set "
                    "up your second factor again from “Your second factor”.",
                )
            return HttpResponseRedirect(_next(request))
        error = (
            "The code is not right. Enter the code your authenticator app shows now, or one of "
            "your recovery codes. After several wrong codes, each try must wait longer."
        )
    return render(
        request,
        "registration/second_factor_verify.jinja",
        {"page_title": "Enter your second factor", "next": _next(request), "error": error},
        status=200,
    )


@require_POST
def second_factor_remove(request: HttpRequest) -> HttpResponse:
    """Remove one's own second factor (a new phone): set up again straight away if needed."""
    user: Any = request.user
    if second_factor.has_second_factor(user) and not _verified(request):
        return redirect("second_factor_verify")
    if second_factor.remove(user, actor=Actor(user=user)):
        messages.info(request, "Your second factor has been removed.")
    return redirect("second_factor")
