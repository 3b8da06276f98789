"""The watchlist: every service and provider ranked by concern for a month.

`compute_watchlist(period)` runs the signal engine (engine.py) over the whole region's data
and returns the entries whose score reaches the list, most concerning first. It is computed
once per month read and version of the data up to that month, and kept in the cache
(core/cache.py's `version_through`): every import bumps it, and so does an event refresh of
that month or an earlier one, so a cached list is never stale, only unused; an event in a
later month leaves it cached (ADR 25). What a reader
sees is cut to their scope by :func:`visible_entries`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from django.core.cache import cache
from django.db import transaction

from caresignals.core import clock
from caresignals.core.cache import version_through
from caresignals.core.periods import Month
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import scope_for
from caresignals.signals.watchlist import config, engine
from caresignals.signals.watchlist import panel_queries as queries
from caresignals.signals.watchlist.links import Links
from caresignals.signals.watchlist.panel import month_range
from caresignals.signals.watchlist.types import WatchlistEntry

TIMEOUT = 60 * 60

# Signals only the ICB quality team may read (ADR 31).
INTELLIGENCE_ONLY = frozenset({"soft_intelligence"})


class UnknownPeriod(ValueError):
    """The month asked for has no data."""


def has_data(period: str) -> bool:
    """Whether `period` is a YYYY-MM month within the data held."""
    first, last = queries.first_period(), queries.latest_period()
    return (
        Month.is_month(period)
        and first is not None
        and last is not None
        and (first <= period <= last)
    )


def available_periods() -> list[str]:
    """Months the watchlist can be read for, newest first (those with a year of history)."""
    first, last = queries.first_period(), queries.latest_period()
    if first is None or last is None:
        return []
    months = month_range(first, last)
    return list(reversed(months))


def latest_period() -> str | None:
    """The latest month with any data, complete or not (the page's list of months ends there)."""
    return queries.latest_period()


def default_period() -> str | None:
    """The month the watchlist page, `caresignals signals` and `GET /api/v1/signals` open on:
    the last complete month (core/clock.py's submission lag), or the latest with data if that
    is earlier; None with no data."""
    latest = queries.latest_period()
    chosen = clock.default_month(Month.parse(latest) if latest else None)
    return str(chosen) if chosen else None


def is_complete(period: str) -> bool:
    """Whether `period` has ended and its submission lag has passed."""
    return clock.is_complete(Month.parse(period))


def _compute(period: str) -> list[WatchlistEntry]:
    first, last = queries.first_period(), queries.latest_period()
    if first is None or last is None or not first <= period <= last:
        raise UnknownPeriod(period)
    cfg = config.default()
    history = int(cfg.spc["history_months"])
    months = month_range(first, period)[-history:]
    panel = queries.load_panel(months[0], period)
    from caresignals.signals.watchlist import sources

    panel.speakup = sources.speakup_counts(panel)
    panel.candour_overdue = sources.candour_overdue(panel, period)
    panel.soft_intelligence = sources.soft_intelligence(
        period, months=int(cfg.intelligence["window_months"])
    )
    panel.alerts_overdue = sources.alerts_overdue(period)
    return engine.compute(panel, period, cfg, Links(), complete=is_complete(period))


def compute_watchlist(period: str) -> list[WatchlistEntry]:
    """Entries with at least one signal fired in `period` (YYYY-MM) whose score reaches the
    list, most concerning first; empty for a month without data (`has_data` tells which)."""
    if not has_data(period):
        return []
    if transaction.get_connection().in_atomic_block:
        return _compute(period)  # inside a write: never cache what may be rolled back
    through = version_through(Month.parse(period).first_day)
    raw = (
        f"signals-watchlist|{period}|{is_complete(period)}|{through}"
        f"|{config.PATH.stat().st_mtime_ns}"
    )
    key = "cs:" + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _compute(period)
        cache.set(key, found, TIMEOUT)
    return list(found)


def visible_entries(user: Any, entries: list[WatchlistEntry]) -> list[WatchlistEntry]:
    """The entries about organisations where the user holds the watchlist capability
    (scoping.py), in the same order; soft intelligence only for those who may read it."""
    scope = scope_for(user, Capability.VIEW_WATCHLIST)
    return withhold_intelligence(user, [e for e in entries if e.path and scope.covers(e.path)])


def withhold_intelligence(user: Any, entries: list[WatchlistEntry]) -> list[WatchlistEntry]:
    """The entries with the soft-intelligence signal taken out where `user` (None: a report
    for a provider's board, made on the command line) may not read soft intelligence
    (ADR 31): a provider learns of intelligence the ICB holds about it only when the ICB
    shares it, never from the watchlist. The entry's score and level are worked out again
    without that signal, and an entry that no longer reaches the list is left out."""
    scope = scope_for(user, Capability.VIEW_INTELLIGENCE) if user is not None else None
    cfg = config.default()
    out = []
    for e in entries:
        hidden = [s for s in e.signals if s.kind in INTELLIGENCE_ONLY]
        if not hidden or (scope is not None and e.path and scope.covers(e.path)):
            out.append(e)
            continue
        kept = tuple(s for s in e.signals if s.kind not in INTELLIGENCE_ONLY)
        score = engine.score(list(kept), cfg)
        level = cfg.level_for(score)
        if kept and level is not None:
            out.append(dataclasses.replace(e, signals=kept, score=score, level=level))
    return out
