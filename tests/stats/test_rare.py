"""g and t charts for rare events, against values worked by hand (no R reference exists)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from caresignals.stats import rare


def test_gaps_count_the_quiet_months_before_each_event() -> None:
    g = rare.gaps_from_counts([0, 0, 1, 0, 2, 0, 0, 0, 1, 0])
    # Events in months 2, 4, 4 and 8: two quiet months, one, none (same month), three.
    assert g.gaps.tolist() == [2.0, 1.0, 0.0, 3.0]
    assert g.month_of.tolist() == [2, 4, 4, 8]
    assert g.since_last == 1


def test_no_events_leaves_only_the_open_stretch() -> None:
    g = rare.gaps_from_counts([0, 0, 0])
    assert g.gaps.size == 0 and g.since_last == 3


@pytest.mark.parametrize("counts", [[0, None, 1], [0, -1], [0, 1.5]])
def test_gaps_refuse_missing_negative_or_fractional_counts(counts: list[float | None]) -> None:
    with pytest.raises(ValueError):
        rare.gaps_from_counts(counts)


def test_g_chart_limits_by_hand() -> None:
    # g_bar = (2 + 1 + 0 + 3) / 4 = 1.5; sd = sqrt(1.5 x 2.5) = 1.9364917; UCL = 7.3094750.
    r = rare.g_chart([2, 1, 0, 3])
    assert r.mean.tolist() == [1.5] * 4
    assert r.upl[0] == pytest.approx(7.309475019, abs=1e-9)
    assert r.lpl.tolist() == [0.0] * 4
    assert r.chart == "g_chart" and r.assurance is None
    assert set(r.point_type.tolist()) == {"common_cause"}


def test_a_long_quiet_stretch_is_above_the_upper_limit() -> None:
    # Seven gaps of 1 then one of 12: g_bar = 19 / 8 = 2.375, UCL = 2.375 + 3 sqrt(2.375 x
    # 3.375) = 10.8448..., so the 12 is special cause, an improvement when events are harm.
    r = rare.g_chart([1] * 7 + [12], improvement="increase")
    assert r.upl[0] == pytest.approx(2.375 + 3 * math.sqrt(2.375 * 3.375), abs=1e-12)
    assert r.point_type[-1] == "special_cause_improvement"
    assert r.special_cause_type[-1] == "Above UCL"
    assert r.variation == "special_cause_improvement"


def test_g_chart_runs_do_not_signal() -> None:
    # Eight gaps below the mean in a row would be a shift on an XmR; not on a g chart.
    r = rare.g_chart([0] * 8 + [9])
    assert r.point_type[:8].tolist() == ["common_cause"] * 8


def test_g_chart_rebase_gives_each_segment_its_own_limits() -> None:
    r = rare.g_chart([1, 1, 4, 4], rebase_at=[2])
    assert r.mean.tolist() == [1.0, 1.0, 4.0, 4.0]
    assert r.upl[2] == pytest.approx(4 + 3 * math.sqrt(20), abs=1e-12)


def test_t_chart_by_hand() -> None:
    # y = t ** (1/3.6): 1, 1.7817974, 2.4980495; mean 1.7599490; moving ranges 0.7817974 and
    # 0.7162521, mean 0.7490248; UCL_y = 3.7523550 -> 116.6...; LCL_y < 0 -> 0.
    t = [1.0, 8.0, 27.0]
    y = np.array(t) ** (1 / 3.6)
    assert y.tolist() == pytest.approx([1.0, 1.781797436, 2.498049533], abs=1e-9)
    r = rare.t_chart(t)
    mean_y = 1.759948990
    amr = (0.781797436 + 0.716252097) / 2
    assert r.mean[0] == pytest.approx(mean_y**3.6, rel=1e-8)
    assert r.upl[0] == pytest.approx((mean_y + 2.66 * amr) ** 3.6, rel=1e-8)
    assert r.lpl[0] == 0.0
    assert r.values.tolist() == t
    assert r.chart == "t_chart"


def test_t_chart_flags_a_short_time_as_concern_when_longer_is_better() -> None:
    r = rare.t_chart([30, 28, 33, 31, 29, 32, 30, 31, 29, 30, 0.01], improvement="increase")
    assert r.special_cause_type[-1] == "Below LCL"
    assert r.point_type[-1] == "special_cause_concern"
