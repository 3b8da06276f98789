"""Patients, families and carers report a safety concern: no sign-in, plain English.

The answers become the public API's request body and go through the same mapping
(`safety.public.public_row`) and the same service (`record_event`), so a concern reported
here and one sent to `/api/v1/public/events` are stored alike: an incident with reporter
type patient or family_carer, anonymous, with a short reference to read aloud (ADR 23).
No name, contact details, address or browser details are asked for or stored; the rate
limit keys on a hash of the address, in memory.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from caresignals.audit.services import Actor
from caresignals.core.ratelimit import PUBLIC_RATE, PUBLIC_WINDOW, check
from caresignals.core.references import display_reference, new_short_reference
from caresignals.core.views import too_many
from caresignals.organisations import picker
from caresignals.safety.events.forms import ConcernForm
from caresignals.safety.events.public import public_row
from caresignals.safety.events.services import EventInvalid, record_event

ACTOR_LABEL = "public report via the website"
RATE_SCOPE = "public-form"


def _received(request: HttpRequest, reference: str, org_code: str) -> HttpResponse:
    organisation = picker.public_provider(org_code)
    return render(
        request,
        "safety/public/received.jinja",
        {
            "page_title": "We have received your report",
            "reference": display_reference(reference),
            "organisation": organisation,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def report_a_concern(request: HttpRequest) -> HttpResponse:
    options = picker.public_options()
    providers = [(o.code, o.name) for o in options]
    form = ConcernForm(None, providers=providers)
    errors: dict[str, list[str]] = {}
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and not picker.searching(request.POST):
        decision = check(request, RATE_SCOPE, rate=PUBLIC_RATE, window=PUBLIC_WINDOW)
        if not decision.allowed:
            return too_many(
                request, "safety/public/too_many.jinja", "Too many reports", decision.retry_after
            )
        form = ConcernForm(request.POST, providers=providers)
        if request.POST.get("website"):
            # A form-filling robot: answer as if received, store nothing.
            return _received(request, new_short_reference(), "")
        if form.is_valid():
            row, invalid = public_row(form.api_body())
            try:
                if invalid:
                    raise EventInvalid(invalid)
                event = record_event(row, actor=Actor(label=ACTOR_LABEL), public=True)
            except EventInvalid as failed:
                errors = {"non_field_errors": [m for ms in failed.errors.values() for m in ms]}
            else:
                return _received(request, event.reference, event.org_code)
        else:
            errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
    return render(
        request,
        "safety/public/report.jinja",
        {
            "page_title": "Report a patient safety concern",
            "form": form,
            "picker": picker.picker("org_code", data, options),
            "values": data,
            "errors": errors,
        },
    )
