"""caresignals.stats.standardise against PHEindicatormethods 2.1.0 and on its own terms."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from caresignals.stats import standardise
from caresignals.stats.standardise import ESP2013
from tests.stats import reference

RTOL = reference.RTOL


load_cases = reference.params


def as_array(values: Any) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def levels(case: dict[str, Any]) -> list[tuple[float, str]]:
    conf = case["args"]["confidence"]
    if isinstance(conf, list):
        return [(c, f"{c * 100:.1f}".replace(".", "_") + "cl") for c in conf]
    return [(conf, "cl")]


def check(result: Any, expected: dict[str, Any], columns: dict[str, str]) -> None:
    """Compare result attributes with R's columns, matching groups by label."""
    checked = 0
    for column, attribute in columns.items():
        if column not in expected:
            continue
        values = np.atleast_1d(np.asarray(getattr(result, attribute), dtype=float))
        if "area" in expected:
            labels = [str(g) for g in result.group]
            assert sorted(labels) == sorted(expected["area"])
            values = values[[labels.index(a) for a in expected["area"]]]
        np.testing.assert_allclose(
            values, as_array(expected[column]), rtol=RTOL, atol=0, err_msg=column
        )
        checked += 1
    assert checked


# ---------------------------------------------------------------------------------------------
# Reference cases
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", load_cases("dsr.json", "calculate_dsr", "phe_dsr"))
def test_dsr_matches_reference(case: dict[str, Any]) -> None:
    inputs = case["inputs"]
    for level, suffix in levels(case):
        result = standardise.dsr(
            inputs["x"],
            inputs["n"],
            inputs["stdpop"],
            confidence=level,
            multiplier=case["args"]["multiplier"],
            group=inputs.get("area"),
        )
        columns = {
            "value": "value",
            f"lower{suffix}": "lower",
            f"upper{suffix}": "upper",
            "total_count": "total_count",
            "total_pop": "total_population",
        }
        check(result, case["expected"], columns)


@pytest.mark.parametrize("case", load_cases("rates.json", "calculate_ISRatio"))
def test_indirect_ratio_matches_reference(case: dict[str, Any]) -> None:
    inputs = case["inputs"]
    for level, suffix in levels(case):
        result = standardise.indirect_ratio(
            inputs["x"],
            inputs["n"],
            inputs["x_ref"],
            inputs["n_ref"],
            confidence=level,
            ref_value=case["args"]["refvalue"],
            group=inputs.get("area"),
        )
        columns = {
            "observed": "observed",
            "expected": "expected",
            "value": "value",
            f"lower{suffix}": "lower",
            f"upper{suffix}": "upper",
        }
        check(result, case["expected"], columns)


@pytest.mark.parametrize("case", load_cases("rates.json", "calculate_ISRate"))
def test_indirect_rate_matches_reference(case: dict[str, Any]) -> None:
    inputs = case["inputs"]
    for level, suffix in levels(case):
        result = standardise.indirect_rate(
            inputs["x"],
            inputs["n"],
            inputs["x_ref"],
            inputs["n_ref"],
            confidence=level,
            multiplier=case["args"]["multiplier"],
            group=inputs.get("area"),
        )
        columns = {
            "observed": "observed",
            "expected": "expected",
            "ref_rate": "ref_rate",
            "value": "value",
            f"lower{suffix}": "lower",
            f"upper{suffix}": "upper",
        }
        check(result, case["expected"], columns)


# ---------------------------------------------------------------------------------------------
# Directly standardised rates
# ---------------------------------------------------------------------------------------------

BANDS = np.array(["0-19", "20-64", "65+"])
STD = np.array([5500.0, 12500.0, 3500.0])


def test_esp2013_is_the_2013_european_standard_population() -> None:
    assert ESP2013.shape == (19,) and ESP2013.sum() == 100_000
    assert ESP2013[0] == 5000 and ESP2013[-1] == 1000
    with pytest.raises(ValueError):
        ESP2013[0] = 1


def test_dsr_single_area_formula() -> None:
    x = np.array([12.0, 25.0, 40.0])
    n = np.array([5000.0, 12000.0, 3000.0])
    result = standardise.dsr(x, n, STD)
    value = (x * STD / n).sum() / STD.sum() * 100000
    assert result.value == pytest.approx(value, rel=1e-12)
    assert result.total_count == 77 and result.total_population == 20000
    var = (x * (STD / n) ** 2).sum() / STD.sum() ** 2
    z = sps.norm.ppf(0.975)
    byars_lower = 77 * (1 - 1 / (9 * 77) - z / (3 * math.sqrt(77))) ** 3
    expected_lower = value + math.sqrt(var / 77) * (byars_lower - 77) * 100000
    assert result.lower == pytest.approx(expected_lower, rel=1e-12)
    assert result.lower < result.value < result.upper


def test_dsr_suppressed_below_ten_events() -> None:
    result = standardise.dsr([3, 3, 3], [100, 100, 100], STD)
    assert result.total_count == 9
    assert math.isnan(result.value) and math.isnan(result.lower) and math.isnan(result.upper)


def test_dsr_missing_counts_are_zero_and_zero_population_is_undefined() -> None:
    with_missing = standardise.dsr([None, 20, 30], [100, 200, 300], STD)
    with_zero = standardise.dsr([0, 20, 30], [100, 200, 300], STD)
    assert with_missing.value == pytest.approx(with_zero.value)
    empty_band = standardise.dsr([0, 20, 30], [0, 200, 300], STD)
    assert math.isnan(empty_band.value) and empty_band.total_count == 50


def test_dsr_groups_in_order_of_first_appearance_and_reference_vector_reused() -> None:
    x = [12, 25, 40, 10, 18, 35, 1, 2, 3]
    n = [5000, 12000, 3000, 4800, 11000, 3200, 100, 100, 100]
    group = ["North"] * 3 + ["South"] * 3 + ["Tiny"] * 3
    per_row = standardise.dsr(x, n, np.tile(STD, 3), group=group)
    reused = standardise.dsr(x, n, STD, group=group)
    assert list(per_row.group) == ["North", "South", "Tiny"]
    np.testing.assert_array_equal(per_row.value, reused.value)
    north = standardise.dsr(x[:3], n[:3], STD)
    assert per_row.value[0] == pytest.approx(north.value)
    assert per_row.upper[0] == pytest.approx(north.upper)
    assert math.isnan(per_row.value[2])


def test_dsr_interleaved_groups_match_contiguous() -> None:
    rng = np.random.default_rng(4)
    x = rng.integers(0, 50, 30).astype(float)
    n = rng.integers(500, 5000, 30).astype(float)
    group = np.repeat(np.arange(10), 3)
    order = rng.permutation(30)
    contiguous = standardise.dsr(x, n, np.tile(STD, 10), group=group)
    shuffled = standardise.dsr(x[order], n[order], np.tile(STD, 10)[order], group=group[order])
    back = [list(shuffled.group).index(g) for g in contiguous.group]
    np.testing.assert_allclose(np.asarray(shuffled.value)[back], contiguous.value, rtol=1e-12)


def _person_frequency_data() -> dict[str, np.ndarray]:
    # Two areas; three age bands; people with 1 or 2 events.
    area = np.repeat(["North", "South"], 6)
    band = np.tile(np.repeat(BANDS, 2), 2)
    freq = np.tile([1.0, 2.0], 6)
    people = np.array([10, 1, 20, 2, 15, 3, 8, 1, 16, 1, 12, 2], dtype=float)
    n = np.repeat([5000, 12000, 3000, 4800, 11000, 3200], 2).astype(float)
    std = np.tile(np.repeat(STD, 2), 2)
    return {"area": area, "band": band, "freq": freq, "people": people, "n": n, "std": std}


def test_dsr_repeat_events_value_equals_dsr_of_all_events_with_wider_limits() -> None:
    d = _person_frequency_data()
    repeat = standardise.dsr(
        d["people"],
        d["n"],
        d["std"],
        event_frequency=d["freq"],
        age_band=d["band"],
        group=d["area"],
    )
    events = (d["people"] * d["freq"]).reshape(-1, 2).sum(axis=1)
    independent = standardise.dsr(events, d["n"][::2], d["std"][::2], group=d["area"][::2])
    np.testing.assert_allclose(repeat.value, independent.value, rtol=1e-12)
    np.testing.assert_array_equal(repeat.total_count, independent.total_count)
    np.testing.assert_array_equal(repeat.total_population, independent.total_population)
    assert np.all(repeat.lower < independent.lower)
    assert np.all(repeat.upper > independent.upper)


def test_dsr_repeat_event_variance_formula() -> None:
    d = _person_frequency_data()
    north = slice(0, 6)
    result = standardise.dsr(
        d["people"][north],
        d["n"][north],
        d["std"][north],
        event_frequency=d["freq"][north],
        age_band=d["band"][north],
        confidence=0.998,
    )
    x, n, w, f = d["people"][north], d["n"][north], d["std"][north], d["freq"][north]
    variance = sum(
        fv**2 * (x[f == fv] * (w[f == fv] / n[f == fv]) ** 2).sum() / w[f == fv].sum() ** 2
        for fv in (1.0, 2.0)
    )
    total = (x * f).sum()
    z = sps.norm.ppf(0.999)
    upper_count = (total + 1) * (1 - 1 / (9 * (total + 1)) + z / (3 * math.sqrt(total + 1))) ** 3
    expected = result.value + math.sqrt(variance / total) * (upper_count - total) * 100000
    assert result.upper == pytest.approx(expected, rel=1e-12)


def test_dsr_repeat_events_with_frequency_one_equal_independent_events() -> None:
    x = [12, 25, 40]
    n = [5000, 12000, 3000]
    plain = standardise.dsr(x, n, STD)
    repeat = standardise.dsr(x, n, STD, event_frequency=[1, 1, 1], age_band=BANDS)
    assert repeat.value == pytest.approx(plain.value)
    assert repeat.lower == pytest.approx(plain.lower)
    assert repeat.upper == pytest.approx(plain.upper)


def test_dsr_standard_population_by_age_band_with_repeat_events() -> None:
    d = _person_frequency_data()
    by_row = standardise.dsr(
        d["people"],
        d["n"],
        d["std"],
        event_frequency=d["freq"],
        age_band=d["band"],
        group=d["area"],
    )
    by_band = standardise.dsr(
        d["people"], d["n"], STD, event_frequency=d["freq"], age_band=d["band"], group=d["area"]
    )
    np.testing.assert_array_equal(by_row.upper, by_band.upper)


def test_dsr_rejects_inconsistent_band_populations() -> None:
    d = _person_frequency_data()
    n = d["n"].copy()
    n[1] += 1
    with pytest.raises(ValueError, match="same n"):
        standardise.dsr(
            d["people"],
            n,
            d["std"],
            event_frequency=d["freq"],
            age_band=d["band"],
            group=d["area"],
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": [], "n": [], "standard_population": []}, "x must not be empty"),
        ({"x": [1, 2, 3], "n": [1, -2, 3], "standard_population": STD}, "n must not be negative"),
        ({"x": [1, -2, 3], "n": [1, 2, 3], "standard_population": STD}, "x must not be negative"),
        ({"x": [1, 2], "n": [1, 2, 3], "standard_population": STD}, "same length"),
        ({"x": [1, 2, 3], "n": [1, 2, 3], "standard_population": [1, 2]}, "standard_population"),
        (
            {"x": [1, 2, 3], "n": [1, 2, 3], "standard_population": [1, -2, 3]},
            "standard_population must not be negative",
        ),
        (
            {"x": [1, 2, 3], "n": [1, 2, 3], "standard_population": STD, "confidence": 0},
            "confidence",
        ),
        (
            {"x": [1, 2, 3], "n": [1, 2, 3], "standard_population": STD, "confidence": 250},
            "confidence",
        ),
        (
            {"x": [1, 2, 3], "n": [1, 2, 3], "standard_population": STD, "multiplier": 0},
            "multiplier",
        ),
        (
            {
                "x": [1, 2, 3],
                "n": [1, 2, 3],
                "standard_population": STD,
                "event_frequency": [1] * 3,
            },
            "age_band is required",
        ),
    ],
)
def test_dsr_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        standardise.dsr(**kwargs)


# ---------------------------------------------------------------------------------------------
# Indirect standardisation
# ---------------------------------------------------------------------------------------------

X_REF = np.array([100.0, 400.0, 900.0])
N_REF = np.array([200000.0, 400000.0, 90000.0])


def test_indirect_ratio_formula_and_observed_total() -> None:
    x = np.array([2.0, 6.0, 14.0])
    n = np.array([1000.0, 2500.0, 900.0])
    result = standardise.indirect_ratio(x, n, X_REF, N_REF)
    expected = (X_REF / N_REF * n).sum()
    assert result.observed == 22 and result.expected == pytest.approx(expected)
    assert result.value == pytest.approx(22 / expected)
    totals = standardise.indirect_ratio(None, n, X_REF, N_REF, observed_total=22)
    assert totals.value == result.value and totals.upper == result.upper
    smr = standardise.indirect_ratio(x, n, X_REF, N_REF, ref_value=100)
    assert smr.value == pytest.approx(100 * result.value)


def test_indirect_small_counts_use_exact_limits() -> None:
    n = np.array([1000.0, 2500.0, 900.0])
    result = standardise.indirect_ratio([1, 2, 1], n, X_REF, N_REF)
    expected = (X_REF / N_REF * n).sum()
    assert result.lower == pytest.approx(sps.chi2.ppf(0.025, 8) / 2 / expected, rel=1e-10)
    assert result.upper == pytest.approx(sps.chi2.ppf(0.975, 10) / 2 / expected, rel=1e-10)


def test_indirect_grouped_observed_totals_in_group_order() -> None:
    n = np.array([1000.0, 2500.0, 900.0, 500.0, 800.0, 300.0])
    group = ["B"] * 3 + ["A"] * 3
    by_rows = standardise.indirect_rate([5, 6, 7, 1, 1, 1], n, X_REF, N_REF, group=group)
    by_totals = standardise.indirect_rate(
        None, n, X_REF, N_REF, observed_total=[18, 3], group=group
    )
    assert list(by_rows.group) == ["B", "A"]
    np.testing.assert_array_equal(by_rows.value, by_totals.value)
    np.testing.assert_array_equal(by_rows.lower, by_totals.lower)
    assert by_rows.ref_rate[0] == pytest.approx(X_REF.sum() / N_REF.sum() * 100000)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: standardise.indirect_ratio([1, 2, 3], [], X_REF, N_REF), "n must not be empty"),
        (lambda: standardise.indirect_ratio([1, 2, 3], [1, -2, 3], X_REF, N_REF), "n must not"),
        (lambda: standardise.indirect_ratio([1, 2], [1, 2, 3], X_REF, N_REF), "same length"),
        (lambda: standardise.indirect_ratio([1, 2, 3], [1, 2, 3], X_REF[:2], N_REF), "x_ref"),
        (lambda: standardise.indirect_ratio(None, [1, 2, 3], X_REF, N_REF), "x is required"),
        (
            lambda: standardise.indirect_rate([1, 2, 3], [1, 2, 3], X_REF, N_REF, confidence=0),
            "confidence",
        ),
        (
            lambda: standardise.indirect_rate(None, [1, 2, 3], X_REF, N_REF, observed_total=[1, 2]),
            "observed_total",
        ),
    ],
)
def test_indirect_bad_input(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
