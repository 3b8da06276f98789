"""A sustained shift keeps firing while it lasts, judged against the level before it
(charts.concern and charts._sustained), and stops once the data return."""

from __future__ import annotations

import numpy as np

from caresignals.signals.watchlist import charts

MONTHS = 36
CHANGE = 18  # the first month at the new level


def _series(before: float, after: float, *, back_from: int | None = None) -> np.ndarray:
    """Poisson-like counts without randomness: the level ± its square root, alternating."""
    level = np.where(np.arange(MONTHS) >= CHANGE, after, before)
    if back_from is not None:
        level = np.where(np.arange(MONTHS) >= back_from, before, level)
    wobble = np.sqrt(level) * np.tile([1.0, -0.5, 0.5, -1.0], MONTHS // 4)
    return np.round(level + wobble)[None, :]


def _concern(values: np.ndarray, t: int, **kw) -> charts.Verdict:
    return charts.concern(
        values,
        0,
        t,
        higher_is_worse=False,
        run_length=7,
        min_baseline=12,
        p_value=0.001,
        recent=6,
        counts=values,
        **kw,
    )


def test_a_fall_older_than_the_recent_months_still_fires_dated_from_its_start():
    values = _series(100, 60)
    for t in range(CHANGE + 6, MONTHS):  # the change is older than the recent six months
        v = _concern(values, t)
        assert v.fired[0], t
        # The most significant split; a month before the change that is a little low by
        # chance may join the run.
        assert CHANGE - 1 <= v.since[0] <= CHANGE, (t, v.since[0])
        assert abs(v.centre[0] - 100) < 3  # judged against the level before the fall


def test_it_stops_once_the_data_return():
    values = _series(100, 60, back_from=30)
    assert _concern(values, 29).fired[0]
    assert not _concern(values, 32).fired[0]  # the last three months back at 100


def test_a_quarter_fall_fires_at_a_large_service_and_not_at_a_tiny_one():
    assert _concern(_series(400, 300), 30).fired[0]
    assert not _concern(_series(4, 3), 30).fired[0]


def test_without_the_shift_test_nothing_is_held():
    values = _series(100, 60)
    v = charts.concern(
        values, 0, 35, higher_is_worse=False, run_length=7, min_baseline=12, p_value=None, recent=6
    )
    assert not (v.fired[0] and v.rule[0] == "sustained shift")
