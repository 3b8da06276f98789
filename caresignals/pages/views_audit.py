from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.organisations.roles import Capability, user_can
from caresignals.pages.queries_audit import visible_entries

PAGE_SIZE = 200


def index(request: HttpRequest) -> HttpResponse:
    if not user_can(request.user, Capability.VIEW_AUDIT):
        raise PermissionDenied
    entries = list(visible_entries(request.user)[:PAGE_SIZE])
    return render(
        request,
        "audit/index.jinja",
        {"page_title": "Audit log", "entries": entries, "page_size": PAGE_SIZE},
    )
