"""Properties every funnel must have, whatever the data (hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from caresignals.stats import funnels

settings.register_profile(
    "funnels", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
FUNNELS = settings.get_profile("funnels")
LIMIT_NAMES = ("lower95", "upper95", "lower998", "upper998")


@st.composite
def units(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible set of units for one data type: counts around a common rate."""
    data_type = draw(st.sampled_from(["SR", "PR", "RC"]))
    sr_method = draw(st.sampled_from(["SHMI", "CQC"]))
    size = draw(st.integers(min_value=6, max_value=60))
    denominators = np.array(
        draw(st.lists(st.floats(5, 5000), min_size=size, max_size=size)), dtype=float
    )
    spread = np.array(draw(st.lists(st.floats(0.4, 1.6), min_size=size, max_size=size)))
    if data_type == "PR":
        denominators = np.round(denominators)
        centre = draw(st.floats(0.02, 0.98))
        numerators = np.round(denominators * np.clip(centre * spread, 0, 1))
    else:
        # At least one event: a SHMI of 0 has z = -inf, which FunnelPlotR does not handle.
        numerators = np.maximum(np.round(denominators * spread), 1)
    return {
        "numerator": numerators,
        "denominator": denominators,
        "data_type": data_type,
        "sr_method": sr_method,
        "limit": draw(st.sampled_from([95, 99])),
        "overdispersion": draw(st.booleans()),
        "trim_by": draw(st.sampled_from([0.05, 0.1, 0.2])),
        "multiplier": draw(st.sampled_from([1, 100])),
    }


def _run(case: dict[str, Any], **changes: Any) -> funnels.Funnel:
    return funnels.spiegelhalter(**{**case, **changes})


@FUNNELS
@given(units(), st.randoms(use_true_random=False))
def test_results_follow_the_units_not_their_order(case: dict[str, Any], rng: Any) -> None:
    order = list(range(len(case["numerator"])))
    rng.shuffle(order)
    base = _run(case)
    shuffled = _run(
        case, numerator=case["numerator"][order], denominator=case["denominator"][order]
    )
    np.testing.assert_allclose(shuffled.phi, base.phi, rtol=1e-9)
    np.testing.assert_allclose(shuffled.tau2, base.tau2, rtol=1e-9, atol=1e-15)
    for name in ("ratio", "z", "z_adjusted", *LIMIT_NAMES):
        np.testing.assert_allclose(
            getattr(shuffled, name), getattr(base, name)[order], rtol=1e-9, atol=1e-12
        )
    # Flags may only differ for a unit sitting on a limit to rounding error.
    upper = base.upper998 if base.limit > 95 else base.upper95
    lower = base.lower998 if base.limit > 95 else base.lower95
    clear = (np.abs(base.ratio - upper) > 1e-9 * np.abs(upper)) & (
        np.abs(base.ratio - lower) > 1e-9 * np.abs(lower)
    )
    assert (shuffled.outlier[np.argsort(order)] == base.outlier)[clear].all()


def _arcsine_folds_twice(result: funnels.Funnel, smallest: float) -> bool:
    """Proportion limits fold back a second time when the widest spread on the arcsine scale
    passes pi/2; FunnelPlotR's one-step repair (which we copy) cannot undo that."""
    if result.data_type != "PR":
        return False
    tau2 = result.tau2 if result.adjusted else 0.0
    return bool(3.090232 * np.sqrt(1 / (4 * smallest) + tau2) > np.pi / 2)


def _folds_at(result: funnels.Funnel, multiplier: float, denominator: float) -> bool:
    """Whether a proportion's 99.8 % limit is folded (sin² turned back) at ``denominator``.

    FunnelPlotR repairs a fold by comparing each grid point with the next one, so the last
    point of a grid keeps a folded limit. We reproduce that, which breaks nesting there:
    at the largest unit (when its denominator is whole) or at the end of a drawn curve.
    """
    if result.data_type != "PR":
        return False
    tau2 = result.tau2 if result.adjusted else 0.0
    centre = np.arcsin(np.sqrt(result.target / multiplier))
    spread = 3.090232 * np.sqrt(1 / (4 * denominator) + tau2)
    return bool(spread >= min(centre, np.pi / 2 - centre))


@FUNNELS
@given(units())
def test_limits_widen_as_denominators_shrink(case: dict[str, Any]) -> None:
    result = _run(case)
    grid = np.geomspace(3, 20000, 400)
    assume(not _arcsine_folds_twice(result, grid[0]))
    curve = result.limits_at(grid[::-1])  # any order in, aligned out
    for name in ("lower95", "lower998"):
        values = getattr(curve, name)[::-1]
        assert np.all(np.diff(values) >= -1e-12 * np.abs(values[1:]))
    for name in ("upper95", "upper998"):
        values = getattr(curve, name)[::-1]
        assert np.all(np.diff(values) <= 1e-12 * np.abs(values[1:]))


@FUNNELS
@given(units())
def test_limits_are_ordered_and_nested(case: dict[str, Any]) -> None:
    result = _run(case)
    assume(not _arcsine_folds_twice(result, 3))
    assume(not _folds_at(result, case["multiplier"], 20000))
    curve = result.limits_at(np.geomspace(3, 20000, 200))
    unit_folds = _folds_at(result, case["multiplier"], np.max(case["denominator"]))
    for limits in (curve,) if unit_folds else (curve, result):
        assert np.all(limits.lower998 <= limits.lower95 + 1e-12)
        assert np.all(limits.lower95 <= limits.upper95)
        assert np.all(limits.upper95 <= limits.upper998 + 1e-12)


@FUNNELS
@given(units())
def test_outlier_flags_are_the_limits_in_use(case: dict[str, Any]) -> None:
    result = _run(case)
    lower, upper = (
        (result.lower998, result.upper998)
        if result.limit > 95
        else (result.lower95, result.upper95)
    )
    np.testing.assert_array_equal(result.outlier == "high", result.ratio > upper)
    np.testing.assert_array_equal(result.outlier == "low", result.ratio < lower)


@FUNNELS
@given(units())
def test_dispersion_decides_adjustment(case: dict[str, Any]) -> None:
    result = _run(case)
    assert result.phi >= 0 and result.tau2 >= 0
    assert result.adjusted == (case["overdispersion"] and result.phi > 1)
    if result.adjusted:
        assert result.tau2 > 0
        assert np.all(np.abs(result.z_adjusted) <= np.abs(result.z) + 1e-12)
    else:
        np.testing.assert_array_equal(result.z_adjusted, result.z)


@FUNNELS
@given(units())
def test_z_sign_follows_the_ratio(case: dict[str, Any]) -> None:
    assume(case["data_type"] != "RC")  # its continuity correction shifts small counts
    result = _run(case)
    away = np.abs(result.ratio - result.target) > 1e-9 * result.target
    assert np.all((np.sign(result.z) == np.sign(result.ratio - result.target))[away])


@FUNNELS
@given(units())
def test_multiplier_only_rescales(case: dict[str, Any]) -> None:
    one, hundred = _run(case, multiplier=1), _run(case, multiplier=100)
    assert one.phi == hundred.phi and one.tau2 == hundred.tau2
    np.testing.assert_array_equal(one.z, hundred.z)
    for name in ("ratio", *LIMIT_NAMES):
        np.testing.assert_allclose(getattr(hundred, name), 100 * getattr(one, name), rtol=1e-12)


@FUNNELS
@given(units())
def test_curve_passes_through_the_units(case: dict[str, Any]) -> None:
    # Proportion limits are repaired along a grid, so only the other types are pointwise.
    assume(case["data_type"] != "PR")
    result = _run(case, shmi_rounding=False)
    curve = result.limits_at(case["denominator"])
    for name in LIMIT_NAMES:
        np.testing.assert_allclose(getattr(curve, name), getattr(result, name), rtol=1e-12)


@FUNNELS
@given(
    st.lists(st.integers(0, 400), min_size=3, max_size=40),
    st.lists(st.floats(0.5, 2.0), min_size=40, max_size=40),
)
def test_significance_labels_are_nested(events: list[int], spread: list[float]) -> None:
    """A unit outside the 99.8 % limits is outside the 95 % ones on the same side."""
    obs = np.array(events, float)
    expected = np.maximum(obs, 1) * np.array(spread[: len(events)])
    labels = funnels.significance(obs, expected, statistic="ratio")
    assert set(labels.tolist()) <= {"high_998", "high_95", "none", "low_95", "low_998"}
    high = obs / expected > 1
    assert not np.any(np.isin(labels, ["high_998", "high_95"]) & ~high)
    assert not np.any(np.isin(labels, ["low_998", "low_95"]) & high)
