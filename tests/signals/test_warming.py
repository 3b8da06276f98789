"""The page cache warmed in the background once a change commits (pages/warming.py, ADR 25):
the watchlist is computed by the queued task, not by its first reader."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.cache import cache
from django.db import transaction

from caresignals.core.cache import bump
from caresignals.pages import warming
from caresignals.signals.governance import queries as governance
from caresignals.signals.watchlist import compute
from caresignals.signals.watchlist.panel import month_range
from tests.signals.panel_factories import store_series

pytestmark = pytest.mark.django_db(transaction=True)

MONTHS = month_range("2024-11", "2026-10")


@pytest.fixture
def region(small_ics):
    rng = np.random.default_rng(5)
    harm = rng.poisson(3, len(MONTHS))
    incidents = harm + rng.poisson(40, len(MONTHS))
    harm[-1], incidents[-1] = 16, 24
    store_series(small_ics.maternity_a, MONTHS, harm.tolist(), incidents.tolist())
    return small_ics


@pytest.fixture
def computed(monkeypatch) -> list[str]:
    """The months the watchlist engine was run for."""
    calls: list[str] = []
    real = compute._compute

    def counting(period: str):
        calls.append(period)
        return real(period)

    monkeypatch.setattr(compute, "_compute", counting)
    return calls


class Queue:
    """Stands in for the task's queue."""

    def __init__(self, enqueue) -> None:
        self.enqueue = enqueue


def test_a_committed_change_warms_the_watchlist_its_readers_open_on(region, settings, computed):
    settings.CARESIGNALS_WARM_PAGES = True
    period = compute.default_period()
    assert period is not None
    with transaction.atomic():
        bump()
        assert computed == []  # nothing is computed inside the write
    assert computed == [period]  # the task ran once the change committed
    assert not cache.get(warming.QUEUED)  # and another change may queue the next
    entries = governance.watchlist(None, period)
    assert compute.compute_watchlist(period) and entries == []  # (no reader scope: none shown)
    assert computed == [period]  # the readers were served what the task computed


def test_a_burst_of_changes_queues_one_warming(region, settings, monkeypatch):
    settings.CARESIGNALS_WARM_PAGES = True
    queued: list[int] = []
    task = warming.warm_pages
    monkeypatch.setattr(warming, "warm_pages", Queue(lambda: queued.append(1)))
    for _ in range(3):
        with transaction.atomic():
            bump()
    assert queued == [1]  # the first is still waiting: the others add nothing
    task.call()  # as the worker runs it: it clears the marker first
    with transaction.atomic():
        bump()
    assert queued == [1, 1]


def test_a_warming_that_cannot_be_queued_leaves_the_change_stored(region, settings, monkeypatch):
    settings.CARESIGNALS_WARM_PAGES = True

    def refuse() -> None:
        raise RuntimeError("the queue is down")

    monkeypatch.setattr(warming, "warm_pages", Queue(refuse))
    from caresignals.core.cache import data_version

    before = data_version()
    with transaction.atomic():
        bump()
    assert data_version() == before + 1
    assert not cache.get(warming.QUEUED)  # the next change tries again


def test_no_warming_when_switched_off(region, settings, computed):
    settings.CARESIGNALS_WARM_PAGES = False
    with transaction.atomic():
        bump()
    assert computed == []


def test_an_event_in_a_later_month_leaves_the_watchlist_cached(region, computed):
    from caresignals.analytics import event_indicators
    from caresignals.core.periods import Month

    period = compute.default_period()
    assert period is not None
    governance.watchlist(None, period)
    later = Month.parse(period).next.first_day
    event_indicators.refresh({(region.trust_a.pk, later)})
    governance.watchlist(None, period)
    compute.compute_watchlist(period)
    assert computed == [period]  # computed once: the new month's data do not change it
    event_indicators.refresh({(region.trust_a.pk, Month.parse(period).first_day)})
    governance.watchlist(None, period)
    assert computed == [period, period]  # a change in its own month does


def test_the_warming_computes_each_scopes_monthly_pages_once(region, settings, monkeypatch):
    """Besides the watchlist, the pack, board report and lens are warmed for one reader of
    each distinct scope, bounded by CARESIGNALS_WARM_SCOPES."""
    from caresignals.measures import lens
    from caresignals.organisations.roles import Role
    from caresignals.publishing import board
    from caresignals.signals.governance import pack
    from tests.factories import member

    icb_a = member(region.ics, Role.ICB_QUALITY_LEAD, username="icb.a")
    member(region.ics, Role.ICB_QUALITY_LEAD, username="icb.b")  # same scope: shares icb.a's
    board_a = member(region.trust_a, Role.BOARD_MEMBER, username="board.a")
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(pack, "pack_for", lambda u, m: calls.append(("pack", u.username)))
    monkeypatch.setattr(
        board, "board_report", lambda u, c, p: calls.append(("board", f"{u.username} {c}"))
    )
    monkeypatch.setattr(lens, "lens_page", lambda u, c: calls.append(("lens", f"{u.username} {c}")))
    warmed = warming.warm()
    assert ("pack", icb_a.username) in calls
    assert ("board", f"{icb_a.username} {region.ics.code}") in calls
    assert ("board", f"{board_a.username} {region.trust_a.code}") in calls
    assert ("lens", f"{board_a.username} {region.trust_a.code}") in calls
    assert not any("icb.b" in who for _, who in calls)
    assert any(w.startswith("pack") for w in warmed)
    calls.clear()
    settings.CARESIGNALS_WARM_SCOPES = 1
    warming.warm()
    assert len([c for c in calls if c[0] == "board"]) == 1


def test_a_page_that_fails_to_warm_leaves_the_others(region, monkeypatch):
    from caresignals.organisations.roles import Role
    from caresignals.publishing import board
    from tests.factories import member

    member(region.trust_a, Role.BOARD_MEMBER, username="board.a")

    def broken(*args):
        raise RuntimeError("no data")

    monkeypatch.setattr(board, "board_report", broken)
    warmed = warming.warm()
    assert not any(w.startswith("board report") for w in warmed)
    assert any(w.startswith("lens") for w in warmed)
