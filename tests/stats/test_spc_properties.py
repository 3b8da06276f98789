"""Properties of the SPC charts that must hold for any data, checked with hypothesis."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from caresignals.stats import spc

SETTINGS = settings(max_examples=100, deadline=None)

# Values on a 0.01 grid (like real indicators) so ties, equal points and zero moving ranges
# turn up often; NaN stands for a missing value.
value = st.integers(-5000, 5000).map(lambda i: i / 100)
series = st.lists(value, min_size=1, max_size=60)
series_with_gaps = st.lists(
    st.one_of(value, value, value, st.just(float("nan"))), min_size=1, max_size=60
)
improvement = st.sampled_from(["increase", "decrease", "neutral"])
run_length = st.sampled_from([6, 7])
target = st.one_of(st.none(), value)

MIRROR = {
    "Above UCL": "Below LCL",
    "Below LCL": "Above UCL",
    "special_cause_neutral_high": "special_cause_neutral_low",
    "special_cause_neutral_low": "special_cause_neutral_high",
}


def mirror(label: str) -> str:
    if label in MIRROR:
        return MIRROR[label]
    for a, b in (("Increasing", "Decreasing"), ("Above", "Below")):
        if a in label:
            return label.replace(a, b)
        if b in label:
            return label.replace(b, a)
    return label


def same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


@SETTINGS
@given(series_with_gaps, improvement, target, st.booleans(), run_length)
def test_result_is_well_formed(
    values: list[float], imp: str, tgt: float | None, screen: bool, k: int
) -> None:
    r = spc.xmr(values, improvement=imp, target=tgt, screen_outliers=screen, run_length=k)
    n = len(values)
    for arr in (r.values, r.mean, r.lpl, r.upl, r.point_type, r.special_cause_type):
        assert arr.shape == (n,)
    assert set(r.point_type.tolist()) <= set(spc.POINT_TYPES)
    common = r.point_type == "common_cause"
    assert ((r.special_cause_type == "Common Cause") == common).all()
    assert r.variation in spc.POINT_TYPES
    if tgt is None or imp == "neutral":
        assert r.assurance is None
    else:
        assert r.assurance in ("consistent_pass", "consistent_fail", "inconsistent")
    icon, sentence = spc.summary(r)
    assert icon.startswith(("common_cause", "special_cause_"))
    assert sentence.endswith(".") and "\n" not in sentence


@SETTINGS
@given(series, st.booleans())
def test_limits_are_symmetric_about_the_mean(values: list[float], screen: bool) -> None:
    r = spc.xmr(values, screen_outliers=screen)
    defined = ~np.isnan(r.upl)
    scale = np.maximum(1.0, np.abs(r.mean[defined]))
    np.testing.assert_allclose(
        (r.upl - r.mean)[defined] / scale, (r.mean - r.lpl)[defined] / scale, atol=1e-12
    )
    assert (r.lpl[defined] <= r.mean[defined]).all() and (r.mean[defined] <= r.upl[defined]).all()


@SETTINGS
@given(series_with_gaps, improvement)
def test_points_outside_the_limits_are_labelled_so(values: list[float], imp: str) -> None:
    r = spc.xmr(values, improvement=imp)
    y = r.values
    with np.errstate(invalid="ignore"):
        assert ((r.special_cause_type == "Above UCL") == (y > r.upl)).all()
        assert ((r.special_cause_type == "Below LCL") == (y < r.lpl)).all()


@SETTINGS
@given(st.lists(value, min_size=12, max_size=40), series_with_gaps, improvement)
def test_adding_points_never_moves_fixed_limits(
    baseline: list[float], more: list[float], imp: str
) -> None:
    before = spc.xmr(baseline, improvement=imp, fix_after_n_points=12)
    after = spc.xmr(baseline + more, improvement=imp, fix_after_n_points=12)
    n = len(baseline)
    for column in ("mean", "lpl", "upl"):
        assert same_array(getattr(after, column)[:n], getattr(before, column))


@SETTINGS
@given(series_with_gaps, improvement, run_length)
def test_a_trailing_missing_value_changes_nothing_before_it(
    values: list[float], imp: str, k: int
) -> None:
    before = spc.xmr(values, improvement=imp, run_length=k)
    after = spc.xmr([*values, None], improvement=imp, run_length=k)
    n = len(values)
    for column in ("mean", "lpl", "upl"):
        assert same_array(getattr(after, column)[:n], getattr(before, column))
    assert after.special_cause_type[:n].tolist() == before.special_cause_type.tolist()
    assert after.point_type[-1] == "common_cause"
    assert any("missing" in w for w in after.warnings)


@SETTINGS
@given(series_with_gaps, st.integers(0, 59), improvement, run_length)
def test_missing_values_never_signal(values: list[float], where: int, imp: str, k: int) -> None:
    values = list(values)
    values[where % len(values)] = float("nan")
    r = spc.xmr(values, improvement=imp, run_length=k)
    missing = np.isnan(r.values)
    assert (r.point_type[missing] == "common_cause").all()
    assert any(f"{int(missing.sum())} missing value(s)" in w for w in r.warnings)


@SETTINGS
@given(
    st.lists(series_with_gaps, min_size=1, max_size=8),
    improvement,
    target,
    st.booleans(),
    run_length,
)
def test_xmr_many_is_identical_to_xmr_per_series(
    tables: list[list[float]], imp: str, tgt: float | None, screen: bool, k: int
) -> None:
    labels = np.repeat(np.arange(len(tables)), [len(t) for t in tables])
    values = np.concatenate([np.asarray(t, dtype=float) for t in tables])
    many = spc.xmr_many(
        labels, values, improvement=imp, target=tgt, screen_outliers=screen, run_length=k
    )
    for i, table in enumerate(tables):
        one = spc.xmr(table, improvement=imp, target=tgt, screen_outliers=screen, run_length=k)
        rows = labels == i
        for column in ("mean", "lpl", "upl"):
            assert same_array(getattr(many, column)[rows], getattr(one, column))
        assert many.point_type[rows].tolist() == one.point_type.tolist()
        assert many.special_cause_type[rows].tolist() == one.special_cause_type.tolist()
        assert many.assurance[i] == one.assurance
        assert many.variation[i] == one.variation


@SETTINGS
@given(series_with_gaps, improvement, st.booleans(), st.sampled_from([0.25, 0.5, 2.0, 1024.0]))
def test_scaling_by_a_power_of_two_scales_limits_and_keeps_labels(
    values: list[float], imp: str, screen: bool, factor: float
) -> None:
    """Exact in floating point, so every label must survive."""
    r = spc.xmr(values, improvement=imp, screen_outliers=screen)
    s = spc.xmr([v * factor for v in values], improvement=imp, screen_outliers=screen)
    for column in ("mean", "lpl", "upl"):
        assert same_array(getattr(s, column), getattr(r, column) * factor)
    assert s.special_cause_type.tolist() == r.special_cause_type.tolist()
    assert s.point_type.tolist() == r.point_type.tolist()


@SETTINGS
@given(series_with_gaps, improvement, st.booleans(), run_length)
def test_negating_values_mirrors_the_chart(
    values: list[float], imp: str, screen: bool, k: int
) -> None:
    """Turning the chart upside down (and the improvement direction with it) mirrors labels."""
    flipped = {"increase": "decrease", "decrease": "increase", "neutral": "neutral"}[imp]
    r = spc.xmr(values, improvement=imp, screen_outliers=screen, run_length=k)
    m = spc.xmr([-v for v in values], improvement=flipped, screen_outliers=screen, run_length=k)
    assert same_array(m.mean, -r.mean)
    assert same_array(m.upl, -r.lpl)
    assert m.special_cause_type.tolist() == [mirror(x) for x in r.special_cause_type.tolist()]
    assert m.point_type.tolist() == [mirror(x) for x in r.point_type.tolist()]


@SETTINGS
@given(st.lists(value, min_size=2, max_size=60), st.data(), improvement, run_length)
def test_rebased_segments_are_charted_independently(
    values: list[float], data: st.DataObject, imp: str, k: int
) -> None:
    cut = data.draw(st.integers(1, len(values) - 1))
    whole = spc.xmr(values, improvement=imp, rebase_at=[cut], run_length=k)
    for part, rows in ((values[:cut], slice(0, cut)), (values[cut:], slice(cut, None))):
        alone = spc.xmr(part, improvement=imp, run_length=k)
        for column in ("mean", "lpl", "upl"):
            assert same_array(getattr(whole, column)[rows], getattr(alone, column))
        assert whole.special_cause_type[rows].tolist() == alone.special_cause_type.tolist()


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, 500), st.integers(1, 500)), min_size=2, max_size=40),
    st.integers(2, 50),
)
def test_laney_limits_do_not_depend_on_the_size_of_the_denominators(
    pairs: list[tuple[int, int]], k: int
) -> None:
    """Laney's point: multiplying every count by k leaves the p' limits where they were."""
    x = np.array([min(a, b) for a, b in pairs], dtype=float)
    n = np.array([b for _, b in pairs], dtype=float)
    assume(0 < x.sum() < n.sum())
    small = spc.p_prime(x, n)
    large = spc.p_prime(x * k, n * k)
    np.testing.assert_allclose(large.lpl, small.lpl, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(large.upl, small.upl, rtol=1e-9, atol=1e-12)
    assert (small.lpl >= 0).all() and (small.upl <= 1).all()


@SETTINGS
@given(st.lists(st.integers(0, 40), min_size=1, max_size=60), improvement)
def test_c_chart_lower_limit_is_never_negative(counts: list[int], imp: str) -> None:
    r = spc.c_chart(counts, improvement=imp)
    assert (r.lpl >= 0).all()
    np.testing.assert_allclose(r.upl - r.mean, 3 * np.sqrt(r.mean))


@SETTINGS
@given(series_with_gaps, improvement)
def test_run_chart_has_no_limits_and_the_median_centre(values: list[float], imp: str) -> None:
    r = spc.run_chart(values, improvement=imp)
    assert np.isnan(r.lpl).all() and np.isnan(r.upl).all()
    present = [v for v in values if v == v]
    if present:
        assert r.mean[0] == np.median(present)
    assert not set(r.special_cause_type.tolist()) & {"Above UCL", "Below LCL"}
