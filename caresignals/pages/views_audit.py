from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.organisations.permissions import requires
from caresignals.organisations.roles import Capability
from caresignals.pages.queries_audit import visible_entries

PAGE_SIZE = 200


@requires(Capability.VIEW_AUDIT)
def index(request: HttpRequest) -> HttpResponse:
    entries = list(visible_entries(request.user)[:PAGE_SIZE])
    return render(
        request,
        "audit/index.jinja",
        {"page_title": "Audit log", "entries": entries, "page_size": PAGE_SIZE},
    )
