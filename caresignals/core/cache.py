"""Caching what pages compute, until the data change.

Dashboard pages recompute the same charts for every visitor; with 50 people reading the
same region that is most of the server's work. Each cached value is keyed by what it was
computed from: the view, the reader's scope (the organisations they may see, so nobody is
ever served another's view) and the data version, which every import bumps in its own
transaction. A stale entry is therefore never read, only left to expire.

Every layer bumps the version, so this module sits in core (ADR 16). The counter's table is
the analytics app's `DataVersion` model (a model stays where its migrations are), reached by
its label; the reader's scope comes from organisations, which plugs `scope_key` in when the
apps are ready (organisations/apps.py).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Model
from django.template.loader import render_to_string
from markupsafe import Markup

T = TypeVar("T")
TIMEOUT = 15 * 60
# The latest entries this process used, kept as objects: the shared cache costs a file read
# and an unpickle. Keys carry the data version, so a kept entry is never stale, only unused.
RECENT = 256
_recent: OrderedDict[str, Any] = OrderedDict()
_recent_lock = threading.Lock()

# What identifies a reader's scope in a cache key (organisations/apps.py plugs it in).
_scope_key: Callable[[Any], str] | None = None


def set_scope_key(key: Callable[[Any], str]) -> None:
    global _scope_key
    _scope_key = key


def version_model() -> type[Model]:
    """The table of data-version counters (analytics.DataVersion)."""
    return apps.get_model("analytics", "DataVersion")


def data_version() -> int:
    row = version_model()._default_manager.filter(pk=1).values_list("version", flat=True).first()
    return int(row or 0)


def bump() -> None:
    """Mark every cached page as out of date (call inside the writing transaction)."""
    _bump(1)


# A second counter for reference data (organisations and areas) alone: what validating an
# event needs is kept per process until the organisations or areas change (EventImporter).
REFERENCE_ROW = 2


def reference_version() -> int:
    row = (
        version_model()
        ._default_manager.filter(pk=REFERENCE_ROW)
        .values_list("version", flat=True)
        .first()
    )
    return int(row or 0)


def bump_reference() -> None:
    """Organisations or areas changed (call inside the writing transaction)."""
    _bump(REFERENCE_ROW)


def _bump(pk: int) -> None:
    updated = version_model()._default_manager.filter(pk=pk).update(version=F("version") + 1)
    if not updated:
        version_model()._default_manager.get_or_create(pk=pk, defaults={"version": 1})


def cached(user: Any, name: str, params: tuple[Any, ...], build: Callable[[], T]) -> T:
    """`build()`, or the value it gave for this reader's scope and the current data."""
    if transaction.get_connection().in_atomic_block:
        return build()  # inside a write, never cache what may be rolled back
    assert _scope_key is not None, "organisations plugs in the scope key when ready"
    scope = _scope_key(user)
    raw = f"{name}|{scope}|{params!r}|{data_version()}"
    key = "cs:" + hashlib.sha256(raw.encode()).hexdigest()
    with _recent_lock:
        if key in _recent:
            _recent.move_to_end(key)
            return _recent[key]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    with _recent_lock:
        _recent[key] = value
        while len(_recent) > RECENT:
            _recent.popitem(last=False)
    return value


def cached_fragment(
    request: Any,
    name: str,
    params: tuple[Any, ...],
    template: str,
    context: Callable[[], dict[str, Any]],
) -> tuple[Markup, dict[str, Any]]:
    """The rendered body of a dashboard page, and the context it was rendered from.

    Bodies hold no per-request secrets (the CSRF token and script nonce live in the layout
    around them), so the HTML itself can be cached: most of a dashboard's cost is drawing it.
    """

    def build() -> tuple[str, dict[str, Any]]:
        ctx = context()
        return render_to_string(template, dict(ctx), request), ctx  # the engine adds to it

    html, ctx = cached(request.user, name, params, build)
    return Markup(html), ctx  # noqa: S704 - our own template's output, escaped when rendered
