"""Caching what pages compute, until the data change.

Dashboard pages recompute the same charts for every visitor; with 50 people reading the
same region that is most of the server's work. Each cached value is keyed by what it was
computed from: the view, the reader's scope (the organisations they may see, so nobody is
ever served another's view) and the data version, which every import bumps in its own
transaction. A stale entry is therefore never read, only left to expire.

What is computed for one month from that month and the months before it (the watchlist, a
funnel or lens window, a board report) can be keyed instead by `version_through(month)`,
which changes only when data of that month or an earlier one change: a bump may name the
months its writes touched (an event refresh does), so a new event today leaves last month's
watchlist cached. A bump that names no months counts for every month (ADR 25).

A cold entry is computed once: the first reader takes a lock in the shared cache
(`cache.add`) and computes it; a second reader of the same entry meanwhile waits for the
value rather than computing it again, and computes it itself only if the lock's holder has
not finished within the lock's lifetime (it may have died).

Writes that change what people are working on but no month's figures (a triage decision, a
candour step, a speak-up case) bump the data version and a work counter without naming any
months (`bump_work`): pages keyed by the data version show them at once, month-keyed pages
stay cached, and a cached value that shows such work as it stands today (a board report's
PDF) adds `work_version()` to its key.

Every layer bumps the version, so this module sits in core (ADR 16). The counter's table is
the analytics app's `DataVersion` model (a model stays where its migrations are), reached by
its label; the reader's scope comes from organisations, which plugs `scope_key` in when the
apps are ready (organisations/apps.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Model, Sum
from django.template.loader import render_to_string
from markupsafe import Markup

T = TypeVar("T")
TIMEOUT = 15 * 60
# The latest entries this process used, kept as objects: the shared cache costs a file read
# and an unpickle. Keys carry the data version, so a kept entry is never stale, only unused.
RECENT = 256
_recent: OrderedDict[str, Any] = OrderedDict()
_recent_lock = threading.Lock()

# Single flight: how long a reader may hold the computing lock (after which another reader may
# compute the entry too: the holder may have died), and how often a waiting reader looks.
LOCK_SECONDS = 120
WAIT_STEP = 0.05

# What identifies a reader's scope in a cache key (organisations/apps.py plugs it in).
_scope_key: Callable[[Any], str] | None = None

# Called once a bump's transaction has committed: pages queues the background warming of
# the expensive pages here (pages/warming.py, ADR 25); core does not import it (ADR 16).
after_change: list[Callable[[], None]] = []


def set_scope_key(key: Callable[[Any], str]) -> None:
    global _scope_key
    _scope_key = key


def version_model() -> type[Model]:
    """The table of data-version counters (analytics.DataVersion)."""
    return apps.get_model("analytics", "DataVersion")


def data_version() -> int:
    row = version_model()._default_manager.filter(pk=1).values_list("version", flat=True).first()
    return int(row or 0)


def month_version_model() -> type[Model]:
    """The table of per-month change counters (analytics.MonthVersion)."""
    return apps.get_model("analytics", "MonthVersion")


# Bumps that named no months: they may have changed any month's data.
ANY_MONTH_ROW = 3


def bump(months: Iterable[dt.date] | None = None) -> None:
    """Mark cached pages as out of date (call inside the writing transaction).

    `months` (any day in each) says the writes changed only data of those months: pages keyed
    by `data_version()` are out of date all the same, those keyed by `version_through(m)`
    only for m on or after the earliest of them. Without `months`, every page is.
    """
    _bump(1)
    for listener in after_change:
        transaction.on_commit(listener)
    if months is None:
        _bump(ANY_MONTH_ROW)
        return
    firsts = sorted({m.replace(day=1) for m in months})
    if not firsts:
        return
    model = month_version_model()
    model._default_manager.bulk_create(
        [model(month=m, version=0) for m in firsts], ignore_conflicts=True
    )
    model._default_manager.filter(month__in=firsts).update(version=F("version") + 1)


def version_through(month: dt.date) -> str:
    """A token that changes whenever data of `month` or of an earlier month change."""
    any_month = (
        version_model()
        ._default_manager.filter(pk=ANY_MONTH_ROW)
        .values_list("version", flat=True)
        .first()
    )
    months = (
        month_version_model()
        ._default_manager.filter(month__lte=month.replace(day=1))
        .aggregate(n=Sum("version"))["n"]
    )
    return f"through {month:%Y-%m}: {int(any_month or 0)}.{int(months or 0)}"


# Bumped by writes to work in progress (triage, candour steps, speak-up cases): `bump_work`.
WORK_ROW = 4


def work_version() -> int:
    row = version_model()._default_manager.filter(pk=WORK_ROW).values_list("version", flat=True)
    return int(row.first() or 0)


def bump_work() -> None:
    """Work in progress changed, but no month's figures (call inside the writing transaction):
    pages keyed by the data version are out of date, month-keyed ones are not, and values
    keyed by `work_version()` are."""
    _bump(WORK_ROW)
    bump(months=())


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


def cached(
    user: Any,
    name: str,
    params: tuple[Any, ...],
    build: Callable[[], T],
    *,
    through: dt.date | None = None,
) -> T:
    """`build()`, or the value it gave for this reader's scope and the current data.

    With `through`, the value depends only on data of that month and earlier months
    (`version_through`), and stays cached while only later months change.
    """
    if transaction.get_connection().in_atomic_block:
        return build()  # inside a write, never cache what may be rolled back
    assert _scope_key is not None, "organisations plugs in the scope key when ready"
    scope = _scope_key(user)
    version = data_version() if through is None else version_through(through)
    raw = f"{name}|{scope}|{params!r}|{version}"
    key = "cs:" + hashlib.sha256(raw.encode()).hexdigest()
    with _recent_lock:
        if key in _recent:
            _recent.move_to_end(key)
            return _recent[key]
    value = cache.get(key)
    if value is None:
        value = _compute_once(key, build)
    with _recent_lock:
        _recent[key] = value
        while len(_recent) > RECENT:
            _recent.popitem(last=False)
    return value


def _compute_once(key: str, build: Callable[[], T]) -> T:
    """`build()` stored under `key`, computed by one reader at a time: whoever takes the lock
    computes; the others wait for the value (at most LOCK_SECONDS) instead of computing it
    again."""
    lock = key + ":computing"
    deadline = time.monotonic() + LOCK_SECONDS
    while not cache.add(lock, True, LOCK_SECONDS):
        time.sleep(WAIT_STEP)
        value = cache.get(key)
        if value is not None:
            return value
        if time.monotonic() > deadline:
            break  # the holder is gone or stuck: compute it here
    try:
        value = cache.get(key)  # finished while this reader took the lock
        if value is None:
            value = build()
            cache.set(key, value, TIMEOUT)
        return value
    finally:
        cache.delete(lock)


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
