"""A person's notifications and what they choose to receive."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from caresignals.notifications import services
from caresignals.notifications.models import Kind


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    items = services.recent(request.user)
    response = render(
        request,
        "notifications/index.jinja",
        {"page_title": "Notifications", "items": items},
    )
    services.mark_read(request.user)
    return response


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        chosen = {
            kind: (
                request.POST.get(f"{kind}_email") == "on",
                request.POST.get(f"{kind}_in_app") == "on",
            )
            for kind in Kind.values
        }
        services.save_preferences(request.user, chosen)
        messages.success(request, "Your choices are saved.")
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.jinja",
        {"page_title": "What you receive", "choices": services.preferences(request.user)},
    )
