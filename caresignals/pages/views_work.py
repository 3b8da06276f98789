"""The "My work" page: what is the person's own, and their team's if they lead one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caresignals.core import clock
from caresignals.core.work import DUE_SOON_WORKING_DAYS
from caresignals.pages.work import my_work


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    return render(
        request,
        "pages/my_work.jinja",
        {
            "page_title": "My work",
            "page": my_work(request.user, today),
            "due_soon_days": DUE_SOON_WORKING_DAYS,
        },
    )
