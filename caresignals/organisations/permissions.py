"""Where permission is decided: one layer, three parts (ADR 3).

- A view declares the capability it needs (`@requires(...)`, or `RequiresCapability` on a
  class): someone who holds it in no organisation is refused before anything is read.
- Every query then reads inside `scoping.scope_for(user, capability)`, the organisations where
  the person holds it; a record outside is "not found" (404), as anywhere else.
- A service refuses an actor that is neither a signed-in user nor a named system label
  (`audit.services.require_actor`, kept with the Actor it checks), and checks writes
  against the record's organisation (`require_for`).

Nothing else decides: presenters, templates and access helpers ask these functions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import Scope, scope_for_any

View = TypeVar("View", bound=Callable[..., HttpResponse])


def require_capability(user: Any, *capabilities: Capability, hidden: bool = False) -> Scope:
    """The scope where `user` holds any of `capabilities`; 403 if none (404 with `hidden`,
    for pages whose very existence is not shown to other roles)."""
    scope = scope_for_any(user, *capabilities)
    if scope.is_empty:
        if hidden:
            raise Http404("Not found")
        raise PermissionDenied
    return scope


def requires(*capabilities: Capability, hidden: bool = False) -> Callable[[View], View]:
    """Refuse the view to anyone who holds none of `capabilities` in any organisation."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_capability(request.user, *capabilities, hidden=hidden)
            return view(request, *args, **kwargs)

        wrapped.required_capabilities = capabilities  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


class RequiresCapability:
    """The class-based view's `@requires`: set `required_capabilities` on the view."""

    required_capabilities: tuple[Capability, ...] = ()
    hidden: bool = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_capability(request.user, *self.required_capabilities, hidden=self.hidden)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def require_for(user: Any, capability: Capability, organisation_path: str) -> None:
    """Refuse `user` a write about the organisation at `organisation_path` unless they hold
    `capability` there (or above it)."""
    if not scope_for_any(user, capability).covers(organisation_path):
        raise PermissionDenied
