"""The signals domain's HTTP API endpoints.

They register on the one API in caresignals.api.endpoints, which imports this module.
`GET /api/v1/signals?period=` gives the watchlist (CONTRACTS.md) to the ICB quality team and
board members, cut to the organisations the caller may see; other callers get 404.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query

from caresignals.api.endpoints import NOT_FOUND, _caller, _error, _json, api, errors
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import scope_for
from caresignals.signals.watchlist import (
    compute_watchlist,
    has_data,
    latest_period,
    visible_entries,
)

_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

_ENTRY_SCHEMA = {
    "type": "object",
    "properties": {
        "org_code": {"type": "string"},
        "service_code": {"type": ["string", "null"]},
        "level": {"type": "string", "enum": ["high", "medium", "low"]},
        "score": {"type": "number"},
        "signals": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string"},
                    "detail": {"type": "string"},
                    "since": {"type": "string", "description": "YYYY-MM"},
                },
            },
        },
    },
}


@api.get(
    "/signals",
    url_name="signals",
    tags=["signals"],
    summary="The early-warning watchlist for a month, most concerning first",
    description="For the ICB quality team and board members; entries are limited to the "
    "organisations you may see. `period` is YYYY-MM (default: the latest month with data).",
    openapi_extra={
        "responses": {
            "200": _json({"type": "array", "items": _ENTRY_SCHEMA}, "The watchlist"),
            "401": _error("No valid token"),
            "404": _error("Not available to your role"),
            "422": _error("Invalid period, or no data for it"),
        }
    },
)
def watchlist(
    request: HttpRequest,
    period: str | None = Query(None, description="YYYY-MM"),
) -> HttpResponse:
    user = _caller(request)
    if scope_for(user, Capability.VIEW_WATCHLIST).is_empty:
        return errors(404, {"signals": [NOT_FOUND]})
    if period is not None and not _PERIOD.fullmatch(period.strip()):
        return errors(422, {"period": ["Enter a month as YYYY-MM, for example 2026-10"]})
    chosen = period.strip() if period is not None else latest_period()
    if chosen is None:
        return JsonResponse([], safe=False)
    if not has_data(chosen):
        return errors(422, {"period": [f"There are no data for {chosen}"]})
    entries = compute_watchlist(chosen)
    return JsonResponse([e.as_json() for e in visible_entries(user, entries)], safe=False)
