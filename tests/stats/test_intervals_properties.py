"""Property tests for intervals, standardisation and inequality: what must hold for any data."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from caresignals.stats import inequality, intervals, standardise

# Local settings (not a global profile, which would change other modules' tests).
PROPERTY = settings(max_examples=100, deadline=None)
SLOW = settings(max_examples=40, deadline=None)

LEVELS = st.sampled_from([0.9, 0.95, 0.99, 0.998])
counts = st.integers(min_value=0, max_value=100_000)


@st.composite
def numerators_and_denominators(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    size = draw(st.integers(min_value=1, max_value=20))
    n = np.array(draw(st.lists(st.integers(1, 1_000_000), min_size=size, max_size=size)), float)
    fractions = draw(st.lists(st.floats(0, 1), min_size=size, max_size=size))
    x = np.floor(n * np.array(fractions))
    return x, n


def ordered(lower: np.ndarray, value: np.ndarray, upper: np.ndarray, slack: float = 1e-12) -> bool:
    scale = np.maximum(np.abs(value), 1e-300)
    return bool(np.all(lower <= value + slack * scale) and np.all(value <= upper + slack * scale))


def nested(inner: intervals.Interval, outer: intervals.Interval) -> bool:
    lo_in, hi_in = np.asarray(inner.lower), np.asarray(inner.upper)
    lo_out, hi_out = np.asarray(outer.lower), np.asarray(outer.upper)
    return bool(np.all(lo_out <= lo_in * (1 + 1e-12)) and np.all(hi_out >= hi_in * (1 - 1e-12)))


# ---------------------------------------------------------------------------------------------
# Intervals
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(numerators_and_denominators(), LEVELS, st.sampled_from([1, 100]))
def test_proportion_interval_contains_estimate_within_bounds(
    data: tuple[np.ndarray, np.ndarray], level: float, multiplier: int
) -> None:
    x, n = data
    r = intervals.proportion(x, n, confidence=level, multiplier=multiplier)
    assert ordered(r.lower, r.value, r.upper)
    assert np.all(r.lower >= -1e-12) and np.all(r.upper <= multiplier * (1 + 1e-12))


@PROPERTY
@given(numerators_and_denominators(), LEVELS, LEVELS)
def test_proportion_wider_at_higher_confidence(
    data: tuple[np.ndarray, np.ndarray], a: float, b: float
) -> None:
    low, high = sorted((a, b))
    x, n = data
    assert nested(
        intervals.proportion(x, n, confidence=low), intervals.proportion(x, n, confidence=high)
    )


@PROPERTY
@given(st.lists(counts, min_size=1, max_size=20), LEVELS, LEVELS)
def test_rate_interval_contains_estimate_and_widens(xs: list[int], a: float, b: float) -> None:
    low, high = sorted((a, b))
    x = np.array(xs, float)
    n = x * 3 + 1000
    narrow = intervals.rate(x, n, confidence=low)
    wide = intervals.rate(x, n, confidence=high)
    assert ordered(narrow.lower, narrow.value, narrow.upper)
    assert nested(narrow, wide)


@PROPERTY
@given(st.lists(counts, min_size=1, max_size=20), st.sampled_from([1, 1000, 100000]))
def test_rate_scales_with_multiplier(xs: list[int], multiplier: int) -> None:
    x = np.array(xs, float)
    n = x + 500
    per_one = intervals.rate(x, n, multiplier=1)
    scaled = intervals.rate(x, n, multiplier=multiplier)
    np.testing.assert_allclose(scaled.upper, per_one.upper * multiplier, rtol=1e-12)


@PROPERTY
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=50),
    LEVELS,
    LEVELS,
)
def test_mean_interval_contains_mean_and_widens(values: list[float], a: float, b: float) -> None:
    low, high = sorted((a, b))
    narrow = intervals.mean(values, confidence=low)
    wide = intervals.mean(values, confidence=high)
    assert (
        narrow.lower
        <= narrow.value + 1e-9 * (1 + abs(narrow.value))
        <= narrow.upper + 2e-9 * (1 + abs(narrow.value))
    )
    assert wide.lower <= narrow.lower + 1e-9 * (1 + abs(narrow.lower))
    assert wide.upper >= narrow.upper - 1e-9 * (1 + abs(narrow.upper))
    assert narrow.count == len(values)


@PROPERTY
@given(
    st.integers(0, 500), st.integers(1, 10**6), st.integers(0, 500), st.integers(1, 10**6), LEVELS
)
def test_rate_ratio_contains_ratio(x1: int, n1: int, x2: int, n2: int, level: float) -> None:
    r = intervals.rate_ratio(x1, n1, x2, n2, confidence=level)
    if x1 + x2 == 0:
        assert np.isnan(r.value)
        return
    assert r.lower <= r.value * (1 + 1e-9) and r.value <= r.upper * (1 + 1e-9)


# ---------------------------------------------------------------------------------------------
# Standardisation
# ---------------------------------------------------------------------------------------------

BANDS = standardise.ESP2013.size


@st.composite
def areas(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    count = draw(st.integers(min_value=1, max_value=8))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = rng.integers(50, 50_000, size=(count, BANDS)).astype(float)
    rate = rng.uniform(0, 0.02, size=(count, 1)) * np.geomspace(0.05, 5, BANDS)
    x = rng.poisson(n * rate).astype(float)
    labels = np.array([f"A{i}" for i in range(count)])
    return x, n, labels


@PROPERTY
@given(areas(), LEVELS)
def test_dsr_interval_contains_estimate(data: tuple[np.ndarray, ...], level: float) -> None:
    x, n, labels = data
    r = standardise.dsr(
        x.ravel(),
        n.ravel(),
        standardise.ESP2013,
        confidence=level,
        group=np.repeat(labels, BANDS),
    )
    shown = ~np.isnan(r.value)
    assert np.all(np.asarray(r.total_count)[shown] >= 10)
    assert ordered(r.lower[shown], r.value[shown], r.upper[shown], slack=1e-9)


@PROPERTY
@given(areas(), st.randoms(use_true_random=False))
def test_dsr_invariant_to_group_order(data: tuple[np.ndarray, ...], random: object) -> None:
    x, n, labels = data
    order = list(range(len(labels)))
    random.shuffle(order)  # type: ignore[attr-defined]
    first = standardise.dsr(
        x.ravel(), n.ravel(), standardise.ESP2013, group=np.repeat(labels, BANDS)
    )
    second = standardise.dsr(
        x[order].ravel(),
        n[order].ravel(),
        standardise.ESP2013,
        group=np.repeat(labels[order], BANDS),
    )
    back = [list(second.group).index(g) for g in first.group]
    for attribute in ("value", "lower", "upper", "total_count", "total_population"):
        np.testing.assert_allclose(
            np.asarray(getattr(second, attribute))[back], getattr(first, attribute), rtol=1e-12
        )


@PROPERTY
@given(areas())
def test_dsr_grouped_equals_area_by_area(data: tuple[np.ndarray, ...]) -> None:
    x, n, labels = data
    grouped = standardise.dsr(
        x.ravel(), n.ravel(), standardise.ESP2013, group=np.repeat(labels, BANDS)
    )
    for i in range(len(labels)):
        alone = standardise.dsr(x[i], n[i], standardise.ESP2013)
        np.testing.assert_allclose(grouped.value[i], alone.value, rtol=1e-12)
        np.testing.assert_allclose(grouped.upper[i], alone.upper, rtol=1e-12)


@PROPERTY
@given(areas(), LEVELS)
def test_indirect_ratio_interval_contains_estimate(
    data: tuple[np.ndarray, ...], level: float
) -> None:
    x, n, labels = data
    x_ref = x.sum(axis=0) + 1
    n_ref = n.sum(axis=0)
    r = standardise.indirect_ratio(
        x.ravel(), n.ravel(), x_ref, n_ref, confidence=level, group=np.repeat(labels, BANDS)
    )
    assert ordered(r.lower, r.value, r.upper, slack=1e-9)


# ---------------------------------------------------------------------------------------------
# Inequality
# ---------------------------------------------------------------------------------------------


@st.composite
def quantile_data(draw: st.DrawFn) -> dict[str, np.ndarray]:
    k = draw(st.integers(min_value=5, max_value=10))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    population = rng.integers(1000, 50_000, k).astype(float)
    trend = draw(st.floats(-0.02, 0.02))
    value = np.clip(0.2 + trend * np.arange(k) + rng.normal(0, 0.005, k), 0.01, 0.99)
    se = rng.uniform(0.002, 0.02, k)
    return {
        "quantile": np.arange(1, k + 1, dtype=float),
        "population": population,
        "value": value,
        "se": se,
    }


SII_REPS = 1000


@given(quantile_data(), st.randoms(use_true_random=False))
@SLOW
def test_sii_invariant_to_row_order(data: dict[str, np.ndarray], random: object) -> None:
    order = list(range(data["quantile"].size))
    random.shuffle(order)  # type: ignore[attr-defined]
    first = inequality.sii(**data, repetitions=SII_REPS, seed=9)
    second = inequality.sii(**{k: v[order] for k, v in data.items()}, repetitions=SII_REPS, seed=9)
    assert np.isclose(first.sii, second.sii, rtol=1e-9, atol=1e-12)
    assert np.isclose(first.rii, second.rii, rtol=1e-9)
    assert np.isclose(first.sii_lower, second.sii_lower, rtol=1e-9, atol=1e-12)


@given(quantile_data(), st.booleans())
@SLOW
def test_sii_sign_flips_when_quantile_order_reverses(
    data: dict[str, np.ndarray], transform: bool
) -> None:
    kwargs: dict[str, object] = {"repetitions": 0}
    if transform:
        z = 1.959963984540054
        kwargs |= {
            "value_type": "proportion",
            "transform": True,
            # Intervals of a proportion stay inside (0, 1).
            "lower": np.clip(data["value"] - z * data["se"], 1e-9, None),
            "upper": np.clip(data["value"] + z * data["se"], None, 1 - 1e-9),
        }
    else:
        kwargs["se"] = data["se"]
    forward = inequality.sii(data["quantile"], data["population"], data["value"], **kwargs)  # type: ignore[arg-type]
    reverse = inequality.sii(
        data["quantile"][::-1].copy(),
        data["population"],
        data["value"],
        **kwargs,  # type: ignore[arg-type]
    )
    assert np.isclose(forward.sii, -reverse.sii, rtol=1e-8, atol=1e-12)


@given(quantile_data(), st.integers(0, 2**31))
@SLOW
def test_sii_seeded_limits_are_reproducible(data: dict[str, np.ndarray], seed: int) -> None:
    a = inequality.sii(**data, repetitions=SII_REPS, seed=seed)
    b = inequality.sii(**data, repetitions=SII_REPS, seed=seed)
    assert (a.sii_lower, a.sii_upper, a.rii_lower, a.rii_upper) == (
        b.sii_lower,
        b.sii_upper,
        b.rii_lower,
        b.rii_upper,
    )
    assert a.sii_lower <= a.sii_upper and a.rii_lower <= a.rii_upper


@given(st.lists(quantile_data(), min_size=2, max_size=4), st.randoms(use_true_random=False))
@SLOW
def test_sii_grouped_invariant_to_group_order(
    datasets: list[dict[str, np.ndarray]], random: object
) -> None:
    k = min(d["quantile"].size for d in datasets)
    datasets = [{key: v[:k] for key, v in d.items()} for d in datasets]
    labels = [f"G{i}" for i in range(len(datasets))]
    order = list(range(len(datasets)))
    random.shuffle(order)  # type: ignore[attr-defined]

    def run(indices: list[int]) -> inequality.SIIResult:
        stacked = {key: np.concatenate([datasets[i][key] for i in indices]) for key in datasets[0]}
        group = np.repeat([labels[i] for i in indices], k)
        return inequality.sii(**stacked, group=group, repetitions=0)

    first, second = run(list(range(len(datasets)))), run(order)
    back = [list(second.group).index(g) for g in first.group]
    np.testing.assert_allclose(np.asarray(second.sii)[back], first.sii, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.asarray(second.rii)[back], first.rii, rtol=1e-9)
