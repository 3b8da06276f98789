"""caresignals.stats.intervals against PHEindicatormethods 2.1.0 and on its own terms."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from caresignals.stats import intervals
from tests.stats import reference

RTOL = reference.RTOL


load_cases = reference.params


def as_array(values: Any) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def assert_close(actual: Any, expected: Any, what: str) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), as_array(expected), rtol=RTOL, atol=0, err_msg=what
    )


def levels(case: dict[str, Any]) -> list[tuple[float, str]]:
    """(confidence, column suffix) pairs: a pair of levels gives the R '95_0cl' style columns."""
    conf = case["args"]["confidence"]
    if isinstance(conf, list):
        return [(c, f"{c * 100:.1f}".replace(".", "_") + "cl") for c in conf]
    return [(conf, "cl")]


def in_group_order(result: Any, expected: dict[str, Any], column: str) -> np.ndarray:
    """Reorder a grouped result (order of first appearance) to R's (sorted) group order."""
    values = np.asarray(getattr(result, column))
    if "area" not in expected:
        return values
    labels = list(result.group)
    return values[[labels.index(a) for a in expected["area"]]]


def check_interval(result: Any, expected: dict[str, Any], suffix: str) -> None:
    columns = {"value": "value", f"lower{suffix}": "lower", f"upper{suffix}": "upper"}
    checked = 0
    for column, attribute in columns.items():
        if column in expected:
            assert_close(in_group_order(result, expected, attribute), expected[column], column)
            checked += 1
    assert checked


# ---------------------------------------------------------------------------------------------
# Reference cases
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", load_cases("proportions.json", "phe_proportion"))
def test_proportion_matches_reference(case: dict[str, Any]) -> None:
    for level, suffix in levels(case):
        result = intervals.proportion(
            case["inputs"]["x"],
            case["inputs"]["n"],
            confidence=level,
            multiplier=case["args"]["multiplier"],
        )
        check_interval(result, case["expected"], suffix)


@pytest.mark.parametrize("case", load_cases("rates.json", "phe_rate"))
def test_rate_matches_reference(case: dict[str, Any]) -> None:
    inputs = case["inputs"]
    for level, suffix in levels(case):
        result = intervals.rate(
            inputs["x"],
            inputs["n"],
            confidence=level,
            multiplier=case["args"]["multiplier"],
            group=inputs.get("area"),
        )
        check_interval(result, case["expected"], suffix)
        if "area" in case["expected"]:
            assert sorted(result.group) == sorted(case["expected"]["area"])


@pytest.mark.parametrize("case", load_cases("means.json", "phe_mean"))
def test_mean_matches_reference(case: dict[str, Any]) -> None:
    inputs, expected = case["inputs"], case["expected"]
    for level, suffix in levels(case):
        result = intervals.mean(inputs["x"], confidence=level, group=inputs.get("area"))
        check_interval(result, expected, suffix)
        assert_close(in_group_order(result, expected, "sd"), expected["stdev"], "stdev")
        assert_close(in_group_order(result, expected, "count"), expected["value_count"], "count")


# ---------------------------------------------------------------------------------------------
# Behaviour beyond the reference files
# ---------------------------------------------------------------------------------------------


def test_scalars_in_give_floats_out() -> None:
    result = intervals.proportion(5, 10)
    assert isinstance(result.value, float) and result.value == 0.5
    assert 0 < result.lower < 0.5 < result.upper < 1
    assert isinstance(intervals.rate(3, 1000).upper, float)


def test_confidence_as_percentage_equals_level() -> None:
    a = intervals.proportion([3, 40], [10, 90], confidence=99.8)
    b = intervals.proportion([3, 40], [10, 90], confidence=0.998)
    np.testing.assert_array_equal(a.lower, b.lower)
    np.testing.assert_array_equal(a.upper, b.upper)


def test_zero_denominator_gives_nan() -> None:
    p = intervals.proportion([0, 1], [0, 2])
    assert math.isnan(p.value[0]) and math.isnan(p.lower[0]) and math.isnan(p.upper[0])
    assert p.value[1] == 0.5
    r = intervals.rate([0, 1], [0, 2])
    assert math.isnan(r.value[0]) and math.isnan(r.lower[0]) and math.isnan(r.upper[0])


def test_missing_numerator_gives_nan_not_error() -> None:
    r = intervals.rate([None, 12], [100, 100])
    assert math.isnan(r.value[0]) and not math.isnan(r.value[1])


def test_rate_switches_from_exact_to_byars_at_ten_events() -> None:
    exact = intervals.rate(9, 1, multiplier=1)
    assert exact.lower == pytest.approx(sps.chi2.ppf(0.025, 18) / 2, rel=1e-12)
    assert exact.upper == pytest.approx(sps.chi2.ppf(0.975, 20) / 2, rel=1e-12)
    byars = intervals.rate(10, 1, multiplier=1)
    z = sps.norm.ppf(0.975)
    assert byars.lower == pytest.approx(10 * (1 - 1 / 90 - z / (3 * math.sqrt(10))) ** 3)


def test_grouped_proportion_sums_within_groups() -> None:
    grouped = intervals.proportion([1, 2, 3, 4], [10, 10, 10, 10], group=["b", "a", "b", "a"])
    assert list(grouped.group) == ["b", "a"]
    direct = intervals.proportion([4, 6], [20, 20])
    np.testing.assert_allclose(grouped.value, direct.value)
    np.testing.assert_allclose(grouped.lower, direct.lower)


def test_mean_single_sample_and_single_value() -> None:
    result = intervals.mean([1.0, 2.0, 3.0, 4.0])
    assert result.value == 2.5 and result.count == 4
    assert result.sd == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    t = sps.t.ppf(0.975, 3)
    assert result.upper == pytest.approx(2.5 + t * result.sd / 2)
    lone = intervals.mean([7.0])
    assert lone.value == 7.0 and math.isnan(lone.lower) and math.isnan(lone.sd)


def test_rate_ratio_matches_exact_conditional_binomial() -> None:
    x1, n1, x2, n2 = 11, 800.0, 23, 3011.0
    result = intervals.rate_ratio(x1, n1, x2, n2)
    assert result.value == pytest.approx((x1 / n1) / (x2 / n2))
    ci = sps.binomtest(x1, x1 + x2).proportion_ci(confidence_level=0.95, method="exact")
    scale = n2 / n1
    assert result.lower == pytest.approx(ci.low / (1 - ci.low) * scale, rel=1e-9)
    assert result.upper == pytest.approx(ci.high / (1 - ci.high) * scale, rel=1e-9)


def test_rate_ratio_edges() -> None:
    result = intervals.rate_ratio([0, 5, 0, 4], [100, 100, 100, 0], [5, 0, 0, 4], [100] * 4)
    assert result.value[0] == 0 and result.lower[0] == 0 and result.upper[0] > 0
    assert math.isinf(result.value[1]) and math.isinf(result.upper[1]) and result.lower[1] > 0
    assert all(math.isnan(v) for v in (result.value[2], result.lower[2], result.upper[2]))
    assert math.isnan(result.value[3])


def test_rate_ratio_is_symmetric_under_swapping() -> None:
    forward = intervals.rate_ratio(30, 1000, 12, 800)
    backward = intervals.rate_ratio(12, 800, 30, 1000)
    assert forward.value == pytest.approx(1 / backward.value)
    assert forward.lower == pytest.approx(1 / backward.upper)
    assert forward.upper == pytest.approx(1 / backward.lower)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: intervals.proportion([], []), "x must not be empty"),
        (lambda: intervals.proportion([1], [-1]), "n must not be negative"),
        (lambda: intervals.proportion([-1], [4]), "x must not be negative"),
        (lambda: intervals.proportion([5], [4]), "x must not be greater than n"),
        (lambda: intervals.proportion([1, 2], [4]), "same length"),
        (lambda: intervals.proportion([1], [4], confidence=0), "confidence"),
        (lambda: intervals.proportion([1], [4], confidence=101), "confidence"),
        (lambda: intervals.proportion([1], [4], confidence=-0.5), "confidence"),
        (lambda: intervals.rate([1], [-4]), "n must not be negative"),
        (lambda: intervals.rate([], []), "x must not be empty"),
        (lambda: intervals.rate([1, 2], [3]), "same length"),
        (lambda: intervals.rate([1], [4], confidence=150), "confidence"),
        (lambda: intervals.mean([]), "values must not be empty"),
        (lambda: intervals.mean([1, 2], group=["a"]), "same length"),
        (lambda: intervals.mean([1, 2], confidence="high"), "confidence"),
        (lambda: intervals.rate_ratio([1], [2], [3], [-4]), "n2 must not be negative"),
        (lambda: intervals.rate_ratio([1], [2], [3, 4], [4, 5]), "same length"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
