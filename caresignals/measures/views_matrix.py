"""The system matrix page: providers or services × indicators, filterable."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.measures.matrix import LEVELS, system_matrix


def matrix(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "providers")
    if level not in LEVELS:
        level = "providers"
    page = system_matrix(
        request.user,
        level=level,
        place=request.GET.get("place", "")[:20],
        type_=request.GET.get("type", "")[:30],
    )
    return render(
        request,
        "measures/matrix.jinja",
        # The matrix needs the whole width of the screen.
        {"page_title": "System view", "page": page, "containerClasses": "cs-wide"},
    )
