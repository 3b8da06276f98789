"""Warming the page cache in the background after the data change (ADR 25).

Every import, refresh and recorded change bumps the data version (core/cache.py), after which
the first reader of an expensive page would wait for it to be computed: the watchlist scores
the whole region, seconds on a million events. Instead, once a change commits, one
`warm_pages` task is put on the queue (`caresignals worker`, which `caresignals serve` starts,
runs it) and computes for the month the pages open on what those pages share and cache:

- the watchlist, computed for the whole system (every reader's list is cut from it);
- the ICB home page and the watchlist's home card read the same list.

A burst of changes queues one task, not one each: a marker in the shared cache says one is
waiting, and the task clears it as it starts, so a change made while it runs queues the next.
Warming is switched off by CARESIGNALS_WARM_PAGES=0 (and in the tests, except those of it).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django_tasks import task

from caresignals.signals.governance import queries as governance
from caresignals.signals.watchlist import compute as watchlist

log = logging.getLogger(__name__)

QUEUED = "cs:warm-pages-queued"
# How long the marker stands if its task never runs (no worker): then the next change queues.
QUEUED_SECONDS = 10 * 60


def after_change() -> None:
    """Queue a warming, unless one is already waiting (called once a bump has committed)."""
    if not getattr(settings, "CARESIGNALS_WARM_PAGES", False):
        return
    if not cache.add(QUEUED, True, QUEUED_SECONDS):
        return
    try:
        warm_pages.enqueue()
    except Exception:  # a change is stored whether or not its pages could be warmed
        cache.delete(QUEUED)
        log.exception("Could not queue the page warming; pages will be computed when read")


def warm() -> list[str]:
    """Compute and cache what the expensive pages share for the month they open on; returns
    what was warmed."""
    warmed: list[str] = []
    period = watchlist.default_period()
    if period is not None:
        governance.watchlist(None, period)  # both the whole-system list and its wrapper
        warmed.append(f"watchlist {period}")
    return warmed


@task()
def warm_pages() -> list[str]:
    cache.delete(QUEUED)  # a change from now on queues another warming
    return warm()
