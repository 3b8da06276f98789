"""Static pages, sign-in, health check and error pages (the home page is in pages/views.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET

from caresignals.core.hooks import demo_sign_in_context


@login_not_required
@require_GET
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.jinja", {"page_title": "About Care Signals"})


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.jinja", {"page_title": "Accessibility statement"})


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "registration/login.jinja"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = "Sign in"
        if settings.CARESIGNALS_OIDC_ENABLED:
            context["identity_provider_name"] = settings.CARESIGNALS_OIDC_PROVIDER_NAME
        if settings.DEMO:
            for extra in demo_sign_in_context:  # the demo's people (demo/apps.py)
                context.update(extra())
        return context


# Error pages set `error_page`, so their titles start "Error: " as the NHS.UK pattern asks.


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {"page_title": "Sorry, there is a problem with this request", "error_page": True}
    return render(request, "400.jinja", context, status=400)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {"page_title": "Page not found", "error_page": True}
    return render(request, "404.jinja", context, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {"page_title": "You cannot do this", "error_page": True}
    return render(request, "403.jinja", context, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.jinja", status=500)


def too_many(request: HttpRequest, template: str, title: str, retry_after: int) -> HttpResponse:
    """The page for a throttled form (429), saying how long to wait, in seconds and minutes."""
    response = render(
        request,
        template,
        {
            "page_title": title,
            "error_page": True,
            "retry_after": retry_after,
            "minutes": max(1, (retry_after + 59) // 60),
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
