"""The full SPC chart of one indicator for one organisation, with its data table."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.analytics.cache import cached
from caresignals.measures.presenters import chart_page


def chart(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    page = cached(
        request.user, "chart", (code, indicator), lambda: chart_page(request.user, code, indicator)
    )
    return render(
        request,
        "measures/chart.jinja",
        {
            "page_title": f"{page.indicator.name} – {page.organisation.name}",
            "page": page,
            "breadcrumbs": page.breadcrumbs,
        },
    )
