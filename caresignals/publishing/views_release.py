"""The ICB's open-data decision (ADR 29): choose what is published, prepare a month's release,
preview exactly its tables with what disclosure control did, publish or withdraw it.

Views orchestrate only: reads from queries.py and presenters in releases.py, writes through
services.py (which check the capability again and audit)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from caresignals.audit.services import Actor
from caresignals.core.periods import Month, MonthError
from caresignals.organisations.permissions import requires
from caresignals.organisations.roles import Capability
from caresignals.publishing import queries, releases, services

PAGE_TITLE = "Open data releases"


def _index(
    request: HttpRequest, errors: dict[str, list[str]], values: dict[str, str]
) -> HttpResponse:
    context = {
        "page_title": PAGE_TITLE,
        "page": releases.index_page(),
        "errors": errors,
        "values": values,
    }
    return render(request, "publishing/releases.jinja", context, status=400 if errors else 200)


@requires(Capability.MANAGE_PUBLICATION)
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    services.require_decider(request.user)
    if request.method == "GET":
        return _index(request, {}, {})
    actor = Actor(user=request.user)
    if request.POST.get("action") == "choose":
        picked = []
        for value in request.POST.getlist("tables"):
            code, _, breakdown = value.partition("/")
            picked.append((code, breakdown))
        try:
            services.choose(actor, picked)
        except services.PublishingError as error:
            return _index(request, {"tables": [str(error)]}, {})
        return redirect("releases:index")
    period = request.POST.get("period", "").strip()
    try:
        month = Month.parse(period)
    except MonthError:
        return _index(
            request,
            {"period": ["Enter the month as YYYY-MM, for example 2026-10"]},
            {"period": period},
        )
    try:
        release = services.prepare(actor, month.first_day)
    except services.PublishingError as error:
        return _index(request, {"period": [str(error)]}, {"period": period})
    return redirect("releases:release", release.pk)


def _detail(
    request: HttpRequest, pk: int, errors: dict[str, list[str]], values: dict[str, str]
) -> HttpResponse:
    page = releases.release_page(queries.release(pk))
    context = {
        "page_title": page.title,
        "page": page,
        "errors": errors,
        "values": values,
        "breadcrumbs": [{"text": PAGE_TITLE, "href": "/publishing/"}],
    }
    return render(request, "publishing/release.jinja", context, status=400 if errors else 200)


@requires(Capability.MANAGE_PUBLICATION)
@require_http_methods(["GET", "POST"])
def release(request: HttpRequest, pk: int) -> HttpResponse:
    services.require_decider(request.user)
    if request.method == "GET":
        return _detail(request, pk, {}, {})
    found = queries.release(pk)
    actor = Actor(user=request.user)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("action") == "withdraw":
            services.withdraw(actor, found, reason)
        else:
            services.publish(actor, found)
    except services.PublishingError as error:
        return _detail(request, pk, {error.field: [str(error)]}, {"reason": reason})
    return redirect("releases:release", pk)
