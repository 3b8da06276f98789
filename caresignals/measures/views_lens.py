"""The inequality lens page: inequalities in one organisation through patient safety."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.measures.lens import MONTH_CHOICES, lens_breadcrumbs, lens_page, parse_params
from caresignals.organisations.queries import organisation_for


def lens(request: HttpRequest, code: str) -> HttpResponse:
    """Read ``months`` and ``period`` (YYYY-MM). Wrong values show the form again with an error
    summary (status 400) instead of figures for a window nobody asked for; the organisation is
    checked first, so an error page never confirms that another trust's page exists."""
    organisation = organisation_for(request.user, code)
    params = parse_params(request.GET)
    page = (
        None
        if params.errors
        else lens_page(request.user, code, months=params.months, period_end=params.period_end)
    )
    return render(
        request,
        "measures/lens.jinja",
        {
            "page_title": f"Inequalities and patient safety – {organisation.name}",
            "organisation": organisation,
            "page": page,
            "params": params,
            "errors": params.errors,
            "month_choices": MONTH_CHOICES,
            "breadcrumbs": lens_breadcrumbs(request.user, organisation),
        },
        status=400 if params.errors else 200,
    )
