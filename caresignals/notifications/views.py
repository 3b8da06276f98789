"""A person's notifications and what they choose to receive."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caresignals.notifications import following, services
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
        {
            "page_title": "What you receive",
            "choices": services.preferences(request.user),
            "followed": following.followed(request.user),
            "can_follow": following.follows_any_allowed(request.user),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page the button was on, or to the preferences page."""
    to = request.POST.get("next", "")
    if to and url_has_allowed_host_and_scheme(
        to, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(to)
    return redirect("notifications:preferences")


@require_POST
def follow(request: HttpRequest, code: str) -> HttpResponse:
    provider = following.followable(request.user, code)
    following.follow(request.user, provider)
    messages.success(request, f"You follow {provider.name}.")
    return _back(request)


@require_POST
def unfollow(request: HttpRequest, code: str) -> HttpResponse:
    provider = following.unfollow(request.user, code)
    messages.success(request, f"You no longer follow {provider.name}.")
    return _back(request)
