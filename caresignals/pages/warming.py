"""Warming the page cache in the background after the data change (ADR 25).

Every import, refresh and recorded change bumps the data version (core/cache.py), after which
the first reader of an expensive page would wait for it to be computed: the watchlist scores
the whole region, seconds on a million events. Instead, once a change commits, one
`warm_pages` task is put on the queue (`caresignals worker`, which `caresignals serve` starts,
runs it) and computes for the month the pages open on what those pages share and cache:

- the watchlist, computed for the whole system (every reader's list is cut from it); the ICB
  home page and the watchlist's home card read the same list;
- then, for each scope that needs its own entry (readers whose cache scope and role scope
  are the same share one), the System Quality Group pack's themes, the board report's data
  for the reader's own organisation and the inequality lens for it, in their default (latest)
  month. At most CARESIGNALS_WARM_SCOPES scopes per page (default 12, the ICB's people and a
  few boards first), so a region with many boards warms the busiest and leaves the rest to
  their first reader; each is computed through the same cached functions readers call, so a
  reader arriving meanwhile waits for it rather than computing it again (core/cache.py).

A burst of changes queues one task, not one each: a marker in the shared cache says one is
waiting, and the task clears it as it starts, so a change made while it runs queues the next.
Warming is switched off by CARESIGNALS_WARM_PAGES=0 (and in the tests, except those of it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import Http404
from django_tasks import task

from caresignals.core.periods import Month
from caresignals.measures import lens
from caresignals.organisations.models import Membership
from caresignals.organisations.roles import Capability, Role, roles_with
from caresignals.organisations.scoping import scope_for
from caresignals.publishing import board
from caresignals.signals.governance import pack
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


# The roles whose people open the expensive monthly pages, the ICB's first.
WARMED_ROLES = (Role.ICB_QUALITY_LEAD, Role.ANALYST, Role.BOARD_MEMBER)


def _readers(capability: Capability | None) -> Iterator[tuple[Any, str]]:
    """(user, their organisation's code) for one reader of each distinct scope: the cache
    keys a value by the reader's scope (and, for these pages, their scope where they hold
    `capability`), so one reader's entry serves every reader of that scope. The ICB's people
    first; at most CARESIGNALS_WARM_SCOPES."""
    limit = int(getattr(settings, "CARESIGNALS_WARM_SCOPES", 12))
    roles = set(WARMED_ROLES) & (set(roles_with(capability)) if capability else set(WARMED_ROLES))
    memberships = (
        Membership.objects.filter(role__in=roles, user__is_active=True)
        .select_related("organisation")
        .order_by("organisation__path", "user_id")
    )
    users = {u.pk: u for u in get_user_model().objects.filter(is_active=True)}
    seen: set[tuple[Any, ...]] = set()
    for m in memberships:
        user = users.get(m.user_id)
        if user is None:
            continue
        key = (
            tuple(scope_for(user).paths),
            tuple(scope_for(user, capability).paths) if capability else (),
            m.organisation.code,
        )
        if key in seen:
            continue
        seen.add(key)
        yield user, m.organisation.code
        if len(seen) >= limit:
            return


def _each(warmed: list[str], label: str, compute: Callable[[], object]) -> None:
    """One page's warming; a failure is logged and the others go on (readers compute it)."""
    try:
        compute()
    except Http404:
        return  # not a page this reader has (a place has no board report)
    except Exception:
        log.exception("Could not warm %s", label)
        return
    warmed.append(label)


def warm() -> list[str]:
    """Compute and cache what the expensive pages share for the month they open on; returns
    what was warmed."""
    warmed: list[str] = []
    period = watchlist.default_period()
    if period is not None:
        governance.watchlist(None, period)  # both the whole-system list and its wrapper
        warmed.append(f"watchlist {period}")
    latest = governance.latest_period()
    if latest:
        month = Month.parse(latest).first_day
        for user, _ in _readers(Capability.VIEW_SQG_PACK):
            _each(warmed, f"pack {latest} for {user}", partial(pack.pack_for, user, month))
    for user, code in _readers(None):
        report = partial(board.board_report, user, code, None)
        _each(warmed, f"board report {code} for {user}", report)
        _each(warmed, f"lens {code} for {user}", partial(lens.lens_page, user, code))
    return warmed


@task()
def warm_pages() -> list[str]:
    cache.delete(QUEUED)  # a change from now on queues another warming
    return warm()
