"""The funnel plot page: every comparable organisation of one type for one indicator."""

from __future__ import annotations

import datetime as dt
import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.core.periods import Month, MonthError
from caresignals.measures.comparison import comparable_indicators, funnel_page

_TYPE = re.compile(r"[a-z_]{1,30}")


def _parse_period(raw: str) -> dt.date | None:
    """ "2026-10" as the first of that month; None if it is not a real year and month."""
    try:
        month = Month.parse(raw)
    except MonthError:
        return None
    return month.first_day if month.year >= 1900 else None


def index(request: HttpRequest) -> HttpResponse:
    """Every indicator that can be compared across organisations: the way into the funnels."""
    return render(
        request,
        "measures/funnel_index.jinja",
        {
            "page_title": "Compare organisations fairly",
            "indicators": comparable_indicators(request.user),
        },
    )


def funnel(request: HttpRequest, indicator: str) -> HttpResponse:
    """Read ``type`` and ``period`` (YYYY-MM); wrong values re-show the form with errors
    (status 400) rather than failing, so a mistyped link still leads somewhere useful."""
    errors: list[dict[str, str]] = []
    raw_type = request.GET.get("type", "").strip()
    raw_period = request.GET.get("period", "").strip()
    org_type: str | None = raw_type or None
    if org_type is not None and not _TYPE.fullmatch(org_type):
        org_type = "?"  # never a type: the presenter reports it as not in the list
    period = _parse_period(raw_period) if raw_period else None
    if raw_period and period is None:
        errors.append(
            {"text": "Enter the month as a year and month, for example 2026-10", "href": "#period"}
        )
    page = funnel_page(request.user, indicator, org_type=org_type, period_end=period)
    errors = page.errors + errors
    field_errors = {e["href"].lstrip("#"): e["text"] for e in errors}
    return render(
        request,
        "measures/funnel.jinja",
        {
            "page_title": f"Compare organisations: {page.indicator.name}",
            "page": page,
            "errors": errors,
            "field_errors": field_errors,
            "breadcrumbs": page.breadcrumbs,
        },
        status=400 if errors else 200,
    )
