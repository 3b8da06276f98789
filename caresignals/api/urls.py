"""URLs of the HTTP API, under /api/v1/ (caresignals/urls.py).

The API authenticates with tokens, not the session, so every API view is exempt from the
site's sign-in redirect (LoginRequiredMiddleware): staff endpoints answer 401 without a
valid token instead. Each view gets a name of its own (`api_<url name>`) so that
tests/core/test_architecture.py lists exactly which views are open without signing in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI

from caresignals.api.endpoints import api

app_name = "api"


def _exempt(callback: Callable[..., Any], name: str) -> Callable[..., Any]:
    def view(request: Any, *args: Any, **kwargs: Any) -> Any:
        return callback(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = name
    view.csrf_exempt = True  # type: ignore[attr-defined]
    view.login_required = False  # type: ignore[attr-defined]
    return view


def patterns_of(ninja_api: NinjaAPI) -> list[URLPattern | URLResolver]:
    result: list[URLPattern | URLResolver] = []
    seen: set[str] = set()
    patterns, _app, _namespace = ninja_api.urls
    for pattern in patterns:
        assert isinstance(pattern, URLPattern), "the API has no nested routers"
        route = str(pattern.pattern)
        if route in seen:  # django-ninja repeats a path for each of its methods
            continue
        seen.add(route)
        name = pattern.name or ""
        view_name = name.replace("-", "_")
        if not view_name.startswith("api"):
            view_name = "api_" + view_name
        result.append(path(route, _exempt(pattern.callback, view_name), name=name))
    return result


urlpatterns = patterns_of(api)
