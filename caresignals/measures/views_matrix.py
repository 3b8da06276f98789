"""The system matrix page: providers or services × indicators, filterable."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.core.cache import cached_fragment
from caresignals.measures.matrix import LEVELS, SORTS, system_matrix


def matrix(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "providers")
    if level not in LEVELS:
        level = "providers"
    place, type_ = request.GET.get("place", "")[:20], request.GET.get("type", "")[:30]
    sort = request.GET.get("sort", SORTS[0])
    if sort not in SORTS:
        sort = SORTS[0]  # a link's parameter, never typed: the default order, not an error
    body, _ = cached_fragment(
        request,
        "matrix",
        (level, place, type_, sort),
        "measures/matrix_body.jinja",
        lambda: {
            "page": system_matrix(request.user, level=level, place=place, type_=type_, sort=sort)
        },
    )
    return render(
        request,
        "measures/matrix.jinja",
        # The matrix needs the whole width of the screen.
        {"page_title": "System view", "body": body, "containerClasses": "cs-wide"},
    )
