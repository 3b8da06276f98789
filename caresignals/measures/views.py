"""The full SPC chart of one indicator for one organisation, with its data table."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.analytics.cache import cached_fragment
from caresignals.measures.presenters import chart_page


def chart(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    def context() -> dict[str, object]:
        page = chart_page(request.user, code, indicator)
        return {
            "page": page,
            "page_title": f"{page.indicator.name} – {page.organisation.name}",
            "breadcrumbs": page.breadcrumbs,
        }

    body, ctx = cached_fragment(
        request, "chart", (code, indicator), "measures/chart_body.jinja", context
    )
    return render(
        request,
        "measures/chart.jinja",
        {"body": body, "page_title": ctx["page_title"], "breadcrumbs": ctx["breadcrumbs"]},
    )
