"""Patients, families and carers give feedback, a compliment or a complaint: no sign-in.

The answers become the public API's body (`public.check_body`) and are stored by
`services.receive_feedback`, so the forms and `POST /api/v1/public/feedback` store alike.
Rate-limited per address (a keyed hash in memory, never stored); a hidden honeypot field
turns robots away without a CAPTCHA that would shut out screen-reader users.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from caresignals.audit.services import Actor
from caresignals.core import clock
from caresignals.core.ratelimit import PUBLIC_RATE, PUBLIC_WINDOW, check
from caresignals.core.views import too_many
from caresignals.organisations import picker
from caresignals.voice import queries
from caresignals.voice.clocks import ACKNOWLEDGE_WITHIN_WORKING_DAYS, acknowledgement_due
from caresignals.voice.forms import FFT_QUESTION, EasyReadForm, FeedbackForm, StartForm
from caresignals.voice.models import Channel, Kind, RepresentativeBasis, new_feedback_reference
from caresignals.voice.public import check_body
from caresignals.voice.services import FeedbackInvalid, receive_feedback

RATE_SCOPE = "public-feedback-form"
ACTOR_LABEL = "public feedback via the website"
TITLES = {
    Kind.COMPLIMENT: "Pay a compliment",
    Kind.CONCERN: "Give feedback or raise a concern",
    Kind.COMPLAINT: "Make a complaint",
    Kind.FFT: "Friends and Family Test",
}


def _errors(form: Any) -> dict[str, list[str]]:
    return {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    return too_many(request, "voice/public/too_many.jinja", "Too many messages", retry_after)


def _received(
    request: HttpRequest,
    reference: str,
    kind: str,
    *,
    easy: bool = False,
    form: FeedbackForm | None = None,
    fft_too: bool = False,
) -> HttpResponse:
    """The confirmation, with what happens next; a complaint's acknowledgement date is the
    complaint clock's own (3 working days from today, bank holidays left out)."""
    return render(
        request,
        "voice/public/received.jinja",
        {
            "page_title": "Thank you",
            "reference": reference,
            "kind": kind,
            "easy": easy,
            "fft_too": fft_too,
            "acknowledge_by": acknowledgement_due(clock.today()),
            "acknowledge_days": ACKNOWLEDGE_WITHIN_WORKING_DAYS,
            "representative_not_yet": form is not None
            and form.cleaned_data.get("representative_basis") == RepresentativeBasis.NOT_YET,
        },
    )


def _store(
    request: HttpRequest, form: FeedbackForm, channel: str
) -> tuple[str | None, dict[str, list[str]]]:
    """Check and store a valid form; the reference, or the errors to show."""
    item, invalid = check_body(form.api_body())
    if item is None:
        return None, {"non_field_errors": [f"{k}: {m}" for k, ms in invalid.items() for m in ms]}
    try:
        feedback = receive_feedback(item, channel=channel, actor=Actor(label=ACTOR_LABEL))
    except FeedbackInvalid as failed:
        return None, {
            ("service_code" if k == "service_code" else "non_field_errors"): ms
            for k, ms in failed.errors.items()
        }
    return feedback.reference, {}


@login_not_required
@require_GET
def feedback_start(request: HttpRequest) -> HttpResponse:
    # The organisation picker's "Search" button comes back here with what was typed.
    return render(
        request,
        "voice/public/start.jinja",
        {
            "page_title": "Tell us about your care",
            "form": StartForm(providers=queries.public_providers()),
            "picker": picker.picker("org_code", request.GET),
            "values": request.GET,
            "errors": {},
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def feedback_give(request: HttpRequest) -> HttpResponse:
    providers = queries.public_providers()
    start = StartForm(request.GET, providers=providers)
    if not start.is_valid():
        return render(
            request,
            "voice/public/start.jinja",
            {
                "page_title": "Tell us about your care",
                "form": start,
                "picker": picker.picker("org_code", request.GET),
                "values": request.GET,
                "errors": _errors(start),
            },
        )
    provider = queries.provider_or_404(start.cleaned_data["org_code"])
    kind = start.cleaned_data["kind"]
    services = queries.services_of(provider)
    form = FeedbackForm(kind=kind, org_code=provider.code, services=services)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        decision = check(request, RATE_SCOPE, rate=PUBLIC_RATE, window=PUBLIC_WINDOW)
        if not decision.allowed:
            return _too_many(request, decision.retry_after)
        if request.POST.get("website"):
            return _received(request, new_feedback_reference(), kind)  # a robot: store nothing
        form = FeedbackForm(request.POST, kind=kind, org_code=provider.code, services=services)
        if form.is_valid():
            reference, errors = _store(request, form, Channel.WEB)
            if reference:
                return _received(request, reference, kind, form=form)
        else:
            errors = _errors(form)
    return render(
        request,
        "voice/public/give.jinja",
        {
            "page_title": TITLES[Kind(kind)],
            "heading": TITLES[Kind(kind)],
            "provider": provider,
            "kind": kind,
            "form": form,
            "fft_question": FFT_QUESTION,
            "values": request.POST if request.method == "POST" else {},
            "errors": errors,
            "breadcrumbs": [{"href": "/feedback/", "text": "Tell us about your care"}],
        },
    )


def _store_easy_read(
    request: HttpRequest, form: EasyReadForm
) -> tuple[str | None, dict[str, list[str]], bool]:
    """Store the easy-read answers: the feedback, and an FFT answer given with another kind
    as its own FFT response, both or neither. The reference, the errors, and whether an FFT
    response was stored as well."""
    fft_body = form.fft_body()
    fft_item = None
    if fft_body is not None:
        fft_item, invalid = check_body(fft_body)
        if fft_item is None:
            return None, {"fft_rating": [m for ms in invalid.values() for m in ms]}, False
    with transaction.atomic():
        reference, errors = _store(request, form, Channel.EASY_READ)
        if reference and fft_item is not None:
            receive_feedback(fft_item, channel=Channel.EASY_READ, actor=Actor(label=ACTOR_LABEL))
    return reference, errors, fft_item is not None


@login_not_required
@require_http_methods(["GET", "POST"])
def feedback_easy_read(request: HttpRequest) -> HttpResponse:
    # The place is chosen with the organisation picker; its "Search" button sends the form
    # back here with everything typed so far, which is shown again and not sent.
    options = picker.public_options()
    providers = [(o.code, o.name) for o in options]
    form = EasyReadForm(providers=providers)
    errors: dict[str, list[str]] = {}
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and not picker.searching(request.POST):
        decision = check(request, RATE_SCOPE, rate=PUBLIC_RATE, window=PUBLIC_WINDOW)
        if not decision.allowed:
            return _too_many(request, decision.retry_after)
        if request.POST.get("website"):
            return _received(request, new_feedback_reference(), "", easy=True)
        form = EasyReadForm(request.POST, providers=providers)
        if form.is_valid():
            reference, errors, fft_too = _store_easy_read(request, form)
            if reference:
                return _received(
                    request, reference, form.feedback_kind, easy=True, form=form, fft_too=fft_too
                )
        else:
            errors = _errors(form)
    return render(
        request,
        "voice/public/easy_read.jinja",
        {
            "page_title": "Tell us about your care (easy read)",
            "form": form,
            "picker": picker.picker("org_code", data, options),
            "fft_question": FFT_QUESTION,
            "values": data,
            "errors": errors,
        },
    )


def page_numbers(current: int, last: int) -> list[int | None]:
    """The page numbers to link: the first, the last, and those beside the current one;
    None where numbers are left out (shown as an ellipsis)."""
    wanted = sorted({1, last, *range(max(1, current - 1), min(last, current + 1) + 1)})
    numbers: list[int | None] = []
    for n in wanted:
        if numbers and n - (numbers[-1] or 0) == 2:
            numbers.append(n - 1)  # one number left out: show it rather than an ellipsis
        elif numbers and n - (numbers[-1] or 0) > 2:
            numbers.append(None)
        numbers.append(n)
    return numbers


def _pagination(page: Any, params: dict[str, str]) -> dict[str, Any] | None:
    """The NHS.UK pagination component's parameters; every link keeps the filters."""
    if page.paginator.num_pages < 2:
        return None

    def href(n: int) -> str:
        return "?" + urlencode({**params, "page": n})

    items = [
        {"ellipsis": True}
        if n is None
        else {"number": n, "href": href(n), "current": n == page.number}
        for n in page_numbers(page.number, page.paginator.num_pages)
    ]
    return {
        "previous": {"href": href(page.number - 1)} if page.has_previous() else {},
        "next": {"href": href(page.number + 1)} if page.has_next() else {},
        "items": items,
        "ariaLabel": "Pages of stories",
    }


@login_not_required
@require_GET
def provider_stories(request: HttpRequest, code: str) -> HttpResponse:
    """Published stories, PUBLIC_PAGE_SIZE a page, optionally of one service. An unknown
    service or page number shows every story, or the nearest page, rather than an error."""
    provider = queries.provider_or_404(code)
    services = queries.services_of(provider)
    service = request.GET.get("service", "")
    if service not in dict(services):
        service = ""
    page = Paginator(
        queries.published_stories(provider, service), queries.PUBLIC_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "voice/public/stories.jinja",
        {
            "page_title": f"You said, we did: {provider.name}"
            + (f" (page {page.number} of {page.paginator.num_pages})" if page.number > 1 else ""),
            "provider": provider,
            "services": services,
            "service": service,
            "service_name": dict(services).get(service, ""),
            "stories": page.object_list,
            "page": page,
            "pagination": _pagination(page, {"service": service} if service else {}),
        },
    )
