"""The signals domain's HTTP API endpoints.

One router for the app, composed into the one API in caresignals/api/endpoints.py.
`GET /api/v1/signals?period=` gives the watchlist (docs/api.md) to the ICB quality team and
board members, cut to the organisations the caller may see; other callers get 404.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router

from caresignals.core.api import NOT_FOUND, caller, error_doc, errors, json_doc
from caresignals.core.periods import Month, MonthError
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import scope_for
from caresignals.signals.watchlist.compute import (
    compute_watchlist,
    default_period,
    has_data,
    is_complete,
    visible_entries,
)

router = Router()

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


@router.get(
    "/signals",
    url_name="signals",
    tags=["signals"],
    summary="The early-warning watchlist for a month, most concerning first",
    description="For the ICB quality team and board members; entries are limited to the "
    "organisations you may see. `period` is YYYY-MM (default: the last complete month, "
    "ended with its submission lag passed). A month that is not complete is answered with "
    "the header `CareSignals-Period-Complete: false`, and no rule judged a fall or an "
    "absence on it.",
    openapi_extra={
        "responses": {
            "200": json_doc({"type": "array", "items": _ENTRY_SCHEMA}, "The watchlist"),
            "401": error_doc("No valid token"),
            "404": error_doc("Not available to your role"),
            "422": error_doc("Invalid period, or no data for it"),
        }
    },
)
def watchlist(
    request: HttpRequest,
    period: str | None = Query(None, description="YYYY-MM"),
) -> HttpResponse:
    user = caller(request)
    if scope_for(user, Capability.VIEW_WATCHLIST).is_empty:
        return errors(404, {"signals": [NOT_FOUND]})
    if period is None:
        chosen = default_period()
    else:
        try:
            chosen = str(Month.parse(period))
        except MonthError:
            return errors(422, {"period": ["Enter a month as YYYY-MM, for example 2026-10"]})
    if chosen is None:
        return JsonResponse([], safe=False)
    if not has_data(chosen):
        return errors(422, {"period": [f"There are no data for {chosen}"]})
    entries = compute_watchlist(chosen)
    response = JsonResponse([e.as_json() for e in visible_entries(user, entries)], safe=False)
    response["CareSignals-Period"] = chosen
    response["CareSignals-Period-Complete"] = "true" if is_complete(chosen) else "false"
    return response
