"""The watchlist page for the ICB quality team and boards."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.organisations.permissions import requires
from caresignals.organisations.roles import Capability
from caresignals.signals.watchlist.presenters import LEVEL_TAGS, kind_label, watchlist_page


@requires(Capability.VIEW_WATCHLIST, hidden=True)
def watchlist(request: HttpRequest) -> HttpResponse:
    page = watchlist_page(request.user, request.GET.get("period", ""))
    return render(
        request,
        "signals/watchlist.jinja",
        {
            "page_title": "Watchlist" + (f" – {page.period_label}" if page.period_label else ""),
            "page": page,
            "errors": page.errors,
            "field_errors": {e["href"].lstrip("#"): e["text"] for e in page.errors},
            "kind_label": kind_label,
            "level_tags": LEVEL_TAGS,
        },
        status=400 if page.errors else 200,
    )
