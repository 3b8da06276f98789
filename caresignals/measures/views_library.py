"""Public pages: the indicator library. Anyone may read how each indicator is calculated."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caresignals.measures import library


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "measures/library.jinja",
        {"page_title": "Indicator library", "indicators": list(library.all_indicators())},
    )


@login_not_required
@require_GET
def definition(request: HttpRequest, code: str) -> HttpResponse:
    found = library.indicator(code)
    return render(
        request,
        "measures/definition.jinja",
        {
            "page_title": found.name,
            "indicator": found,
            "counting_rule": library.counting_rule(found.code),
            "route": library.route(found),
            "breadcrumbs": [{"text": "Indicator library", "href": "/indicators/"}],
        },
    )
