"""The pages a reporter uses without signing in: raise a concern anonymously, and open a
case with its reference and access code to read replies and answer.

Nothing here creates a session, writes an audit entry, or keeps the address, browser or
time: the throttles keep only keyed hashes in memory (core/ratelimit.py), the reference and
code travel only in POST bodies (never in a URL, so never in a server log or browser history),
and no server log records these paths (core/anonymity.py).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from caresignals.core.ratelimit import PUBLIC_RATE, PUBLIC_WINDOW, check
from caresignals.core.views import too_many as throttled_page
from caresignals.speakup import codes, queries, services
from caresignals.speakup.access import open_case
from caresignals.speakup.forms import CaseAccessForm, ConcernForm, MessageForm, errors_of
from caresignals.speakup.models import SpeakUpCase
from caresignals.speakup.vocabulary import Route

RATE_SCOPE = "speakup-form"
NOT_RECOGNISED = (
    "We could not open a case with that reference and access code. Check both and try again."
)


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    return throttled_page(request, "speakup/too_many.jinja", "Too many attempts", retry_after)


def submission_token(request: HttpRequest) -> str:
    """The raising form's one-time token: kept across error pages, fresh otherwise."""
    sent = request.POST.get("submission", "") if request.method == "POST" else ""
    return sent if codes.submission_hash(sent) else codes.new_submission_token()


def already_raised(request: HttpRequest, reference: str) -> HttpResponse:
    return render(
        request,
        "speakup/already.jinja",
        {"page_title": "Your concern was already raised", "reference": reference},
    )


def raised_page(request: HttpRequest, reference: str, access_code: str, route: str) -> HttpResponse:
    return render(
        request,
        "speakup/raised.jinja",
        {
            "page_title": "Your concern has been raised",
            "reference": reference,
            "access_code": access_code,
            "anonymous": route == Route.ANONYMOUS,
        },
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def raise_anonymously(request: HttpRequest) -> HttpResponse:
    providers = queries.public_providers()
    form = ConcernForm(None, organisations=providers, with_route=False)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        decision = check(request, RATE_SCOPE, rate=PUBLIC_RATE, window=PUBLIC_WINDOW)
        if not decision.allowed:
            return too_many(request, decision.retry_after)
        if request.POST.get("website"):
            # A form-filling robot: answer as if raised, store nothing.
            return raised_page(
                request, codes.new_reference(), codes.new_access_code(), Route.ANONYMOUS
            )
        form = ConcernForm(request.POST, organisations=providers, with_route=False)
        if form.is_valid():
            organisation = queries.provider(form.cleaned_data["org_code"])
            if organisation is not None:
                try:
                    raised = services.raise_concern(
                        organisation=organisation,
                        route=Route.ANONYMOUS,
                        concern=form.cleaned_data["concern"],
                        categories=form.cleaned_data["categories"],
                        professional_group=form.cleaned_data["professional_group"],
                        submission=request.POST.get("submission", ""),
                    )
                except services.AlreadyRaised as already:
                    return already_raised(request, already.reference)
                return raised_page(
                    request, raised.case.reference, raised.access_code, Route.ANONYMOUS
                )
            errors = {"org_code": ["Select your organisation"]}
        else:
            errors = errors_of(form)
    return render(
        request,
        "speakup/raise.jinja",
        {
            "page_title": "Raise a concern anonymously",
            "form": form,
            "anonymous": True,
            "values": request.POST if request.method == "POST" else {},
            "errors": errors,
            "submission": submission_token(request),
        },
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def reporter_case(request: HttpRequest) -> HttpResponse:
    access_form = CaseAccessForm(request.POST if request.method == "POST" else None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if access_form.is_valid():
            reference = access_form.cleaned_data["reference"]
            code = access_form.cleaned_data["access_code"]
            access = open_case(request, reference, code)
            if access.throttled:
                return too_many(request, access.retry_after)
            if access.case is not None:
                return _thread_page(request, access.case, reference, code)
            errors = {"non_field_errors": [NOT_RECOGNISED]}
        else:
            errors = errors_of(access_form)
    return render(
        request,
        "speakup/case_access.jinja",
        {"page_title": "Read replies to your concern", "errors": errors, "values": {}},
    )


def _thread_page(
    request: HttpRequest, case: SpeakUpCase, reference: str, code: str
) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    sent = False
    values: dict[str, str] = {}
    if request.POST.get("action") == "reply":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                services.reporter_message(case, form.cleaned_data["text"])
                sent = True
            except services.CaseClosed:
                errors = {"text": ["This case is closed. To raise something new, start again."]}
        else:
            errors = errors_of(form)
            values = {"text": request.POST.get("text", "")}
    return render(
        request,
        "speakup/case_thread.jinja",
        {
            "page_title": "Your concern",
            "case": case,
            "messages_": queries.thread(case),
            "reference": reference,
            "access_code": code,
            "errors": errors,
            "values": values,
            "sent": sent,
        },
    )
