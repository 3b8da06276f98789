"""SPC charts against NHSRplotthedots 0.2.2 reference outputs, plus behaviour R does not cover.

The reference cases live in ``tests/stats/reference/spc.json`` (provenance in the README there).
"""

from __future__ import annotations

import datetime as dt
import doctest
import json
from typing import Any

import numpy as np
import pytest

from caresignals.stats import spc
from tests.stats import reference

CASES = reference.load("spc.json")
XMR_CASES = [c for c in CASES if c.get("chart", "xmr") == "xmr"]


def _floats(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _run(case: dict[str, Any]) -> spc.SPCResult:
    return spc.xmr(
        case["values"],
        improvement=case["improvement_direction"],
        target=case["target"],
        rebase_at=case["rebase_at"],
        fix_after_n_points=case["fix_after_n_points"],
        screen_outliers=case["screen_outliers"],
    )


def assert_close(actual: np.ndarray, expected: np.ndarray, *, what: str) -> None:
    """1e-9 relative, NaN where R gave NaN (a tiny absolute floor for values near zero)."""
    np.testing.assert_allclose(
        actual, expected, rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=what
    )


# --------------------------------------------------------------------------- reference cases


def test_reference_cases_are_present() -> None:
    assert reference.path("spc.json").exists()
    assert len(XMR_CASES) >= 25


@pytest.mark.parametrize("case", XMR_CASES, ids=[c["name"] for c in XMR_CASES])
def test_xmr_matches_nhsrplotthedots(case: dict[str, Any]) -> None:
    result = _run(case)
    expected = case["expected"]
    for column in ("mean", "lpl", "upl"):
        assert_close(getattr(result, column), _floats(expected[column]), what=column)
    assert result.point_type.tolist() == expected["point_type"]
    assert result.special_cause_type.tolist() == expected["special_cause_type"]
    assert result.special_cause.tolist() == expected["special_cause_flag"]
    assert result.rebase_group.tolist() == expected["rebase_group"]
    assert result.assurance == expected["assurance_type"]
    assert result.variation == expected["variation_point_type"]
    assert result.warnings == expected["warnings"]


def test_xmr_many_matches_nhsrplotthedots_in_one_call() -> None:
    """All un-rebased cases as one long table, with their shared options, against R."""
    for improvement in ("increase", "decrease", "neutral"):
        for screen in (True, False):
            group = [
                c
                for c in XMR_CASES
                if not c["rebase_at"]
                and c["fix_after_n_points"] is None
                and c["improvement_direction"] == improvement
                and c["screen_outliers"] == screen
                and c["target"] is None
            ]
            if not group:
                continue
            labels = np.repeat([c["name"] for c in group], [len(c["values"]) for c in group])
            values = np.concatenate([_floats(c["values"]) for c in group])
            many = spc.xmr_many(labels, values, improvement=improvement, screen_outliers=screen)
            for c in group:
                rows = labels == c["name"]
                e = c["expected"]
                for column in ("mean", "lpl", "upl"):
                    assert_close(getattr(many, column)[rows], _floats(e[column]), what=column)
                assert many.point_type[rows].tolist() == e["point_type"], c["name"]
                assert many.special_cause_type[rows].tolist() == e["special_cause_type"]
                assert many.variation[c["name"]] == e["variation_point_type"]
                assert many.assurance[c["name"]] is None


def test_xmr_many_assurance_matches_reference_targets() -> None:
    for case in (c for c in XMR_CASES if c["target"] is not None):
        n = len(case["values"])
        many = spc.xmr_many(
            ["a"] * n,
            case["values"],
            improvement=case["improvement_direction"],
            target=case["target"],
        )
        assert many.assurance == {"a": case["expected"]["assurance_type"]}


# --------------------------------------------------------------------------- rules by hand


def test_fix_after_n_points_freezes_limits_on_the_first_points() -> None:
    values = XMR_CASES[0]["values"] if XMR_CASES else list(np.sin(np.arange(20)))
    free = spc.xmr(values)
    fixed = spc.xmr(values, fix_after_n_points=12)
    baseline = spc.xmr(values[:12])
    assert fixed.mean[0] == pytest.approx(np.mean(values[:12]))
    assert_close(fixed.lpl, np.full(len(values), baseline.lpl[0]), what="lpl")
    assert fixed.lpl[0] != free.lpl[0]
    # R compares row_number() <= n, so 12.5 means the first 12 rows.
    assert_close(spc.xmr(values, fix_after_n_points=12.5).upl, fixed.upl, what="upl")


def test_points_beyond_the_baseline_are_still_judged() -> None:
    values = [10, 11] * 6 + [20]
    result = spc.xmr(values, fix_after_n_points=12)
    assert result.special_cause_type[-1] == "Above UCL"
    assert result.upl[-1] == pytest.approx(10.5 + 2.66)


def test_run_length_six_relabels_trends_and_shifts() -> None:
    trend = spc.xmr([5, 5, 5, 5, 5, 1, 2, 3, 4, 5, 6, 5, 5, 5], run_length=6)
    assert "6 Point Trend (Increasing)" in trend.special_cause_type.tolist()
    shift = spc.xmr([1, 0] * 6 + [0.6] * 6, run_length=6, improvement="decrease")
    assert shift.special_cause_type[-6:].tolist() == ["6 Points Above CL"] * 6
    assert shift.point_type[-1] == "special_cause_concern"
    assert spc.xmr([1, 0] * 6 + [0.6] * 6).special_cause_type[-1] == "Common Cause"


def test_two_in_three_needs_all_three_points_on_one_side() -> None:
    base = [10.0, 11.0] * 8
    # Limits frozen at 10.5 +/- 2.66; two thirds of the way up is beyond 10.5 + 1.77.
    same_side = spc.xmr([*base, 12.5, 10.6, 12.5, 10.4], fix_after_n_points=16)
    assert same_side.special_cause_type[-4:].tolist() == [
        "2 in 3 Above CL",
        "Common Cause",
        "2 in 3 Above CL",
        "Common Cause",
    ]
    mixed = spc.xmr([*base, 12.5, 10.4, 12.5, 10.4], fix_after_n_points=16)
    assert mixed.special_cause_type[-4:].tolist() == ["Common Cause"] * 4


def test_neutral_direction_names_high_and_low() -> None:
    result = spc.xmr([10, 11] * 8 + [30, -10], improvement="neutral", target=5)
    assert result.point_type[-2:].tolist() == [
        "special_cause_neutral_high",
        "special_cause_neutral_low",
    ]
    assert result.assurance is None


def test_single_point_segment_has_no_limits_and_no_signal() -> None:
    result = spc.xmr([1.0, 2.0, 1.5, 9.0], rebase_at=[3], target=0)
    assert np.isnan(result.lpl[-1]) and np.isnan(result.upl[-1])
    assert result.point_type[-1] == "common_cause"
    assert result.assurance == "inconsistent"  # R's verdict when the limits are NA
    assert result.warnings == [spc.SHORT_GROUP_WARNING]


def test_rebase_zero_is_a_no_op_and_duplicates_collapse() -> None:
    values = list(np.cos(np.arange(30)))
    plain = spc.xmr(values)
    assert_close(spc.xmr(values, rebase_at=[0]).upl, plain.upl, what="upl")
    twice = spc.xmr(values, rebase_at=[15, 15])
    assert_close(twice.upl, spc.xmr(values, rebase_at=15).upl, what="upl")


# --------------------------------------------------------------------------- missing values


def test_missing_values_are_skipped_and_reported() -> None:
    values: list[float | None] = [10, 11] * 8
    values[5] = None
    values[9] = float("nan")
    result = spc.xmr(values)
    assert result.point_type[5] == "common_cause"
    assert result.special_cause_type[9] == "Common Cause"
    present = [v for v in values if v is not None and v == v]
    assert result.mean[0] == pytest.approx(np.mean(present))
    # No moving range is taken across a gap (as R's abs(diff()) gives NA there).
    assert result.upl[0] == pytest.approx(np.mean(present) + 2.66 * 1.0)
    assert any("2 missing value(s)" in w for w in result.warnings)


def test_missing_value_breaks_a_run_as_in_r() -> None:
    run = [10, 11] * 8 + [10.8] * 7
    assert spc.xmr(run).special_cause_type[-1] == "7 Points Above CL"
    gapped = [*run[:-3], None, *run[-3:]]
    assert spc.xmr(gapped).special_cause_type[-1] == "Common Cause"


def test_all_missing_series_is_not_an_error() -> None:
    result = spc.xmr([None, None, None])
    assert result.variation == "common_cause"
    assert np.isnan(result.mean).all()
    assert spc.summary(result) == ("common_cause", "No data to chart yet.")


def test_trailing_missing_value_leaves_variation_on_latest_point() -> None:
    result = spc.xmr([10, 11] * 8 + [30, None])
    assert result.variation == "special_cause_improvement"


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"values": []}, "values"),
        ({"values": [1, 2], "improvement": "up"}, "improvement"),
        ({"values": [1, 2], "rebase_at": [2]}, "rebase_at"),
        ({"values": [1, 2], "rebase_at": [-1]}, "rebase_at"),
        ({"values": [1, 2], "rebase_at": [0.5]}, "rebase_at"),
        ({"values": [1, 2], "fix_after_n_points": 11}, "fix_after_n_points"),
        ({"values": [1, 2], "target": "high"}, "target"),
        ({"values": [1, 2], "target": float("nan")}, "target"),
        ({"values": [1, 2], "run_length": 1}, "run_length"),
        ({"values": [1, 2], "run_length": 6.5}, "run_length"),
        ({"values": [1, float("inf")]}, "values"),
        ({"values": ["a", "b"]}, "values"),
        ({"values": [[1, 2], [3, 4]]}, "values"),
        ({"values": [1, 2], "periods": ["2024-01"]}, "periods"),
        ({"values": [1, 2], "periods": ["2024-02", "2024-01"]}, "periods"),
        ({"values": [1, 2], "periods": ["2024-01", "soon"]}, "periods"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, Any], name: str) -> None:
    values = kwargs.pop("values")
    with pytest.raises(ValueError, match=name):
        spc.xmr(values, **kwargs)


def test_xmr_many_validation() -> None:
    with pytest.raises(ValueError, match="same length"):
        spc.xmr_many(["a", "a"], [1.0])
    with pytest.raises(ValueError, match="contiguous"):
        spc.xmr_many(["a", "b", "a"], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="improvement"):
        spc.xmr_many(["a"], [1.0], improvement="better")


def test_laney_and_c_validation() -> None:
    with pytest.raises(ValueError, match="numerators"):
        spc.p_prime([5, 12], [10, 10])
    with pytest.raises(ValueError, match="denominators"):
        spc.p_prime([1, 2], [10, -1])
    with pytest.raises(ValueError, match="same length"):
        spc.u_prime([1, 2], [10])
    with pytest.raises(ValueError, match="counts"):
        spc.c_chart([1, -2])
    with pytest.raises(ValueError, match="multiplier"):
        spc.p_prime([1, 2], [10, 10], multiplier=0)


# --------------------------------------------------------------------------- xmr_many


def test_xmr_many_equals_xmr_per_series_with_targets_and_missing_values() -> None:
    rng = np.random.default_rng(7)
    sizes = [1, 2, 5, 12, 13, 30, 61]
    labels = np.repeat([f"s{i}" for i in range(len(sizes))], sizes)
    values = rng.normal(50, 5, labels.size).round(1)
    values[[3, 40, 41]] = np.nan
    targets = {f"s{i}": 45.0 + i for i in range(len(sizes))}
    many = spc.xmr_many(labels, values, improvement="decrease", target=targets, run_length=6)
    for label in targets:
        rows = labels == label
        one = spc.xmr(values[rows], improvement="decrease", target=targets[label], run_length=6)
        np.testing.assert_array_equal(many.mean[rows], one.mean)
        np.testing.assert_array_equal(many.lpl[rows], one.lpl)
        np.testing.assert_array_equal(many.upl[rows], one.upl)
        assert many.point_type[rows].tolist() == one.point_type.tolist()
        assert many.special_cause_type[rows].tolist() == one.special_cause_type.tolist()
        assert many.assurance[label] == one.assurance
        assert many.variation[label] == one.variation
    assert list(many.variation) == list(targets)  # order of appearance
    assert any("series" in w for w in many.warnings)


def test_xmr_many_accepts_integer_labels() -> None:
    many = spc.xmr_many([7, 7, 7, 3, 3], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert list(many.variation) == [7, 3]
    assert len(many) == 5


# --------------------------------------------------------------------------- other charts


def _laney_by_hand(x: np.ndarray, n: np.ndarray, kind: str) -> tuple[float, np.ndarray]:
    p = x / n
    bar = x.sum() / n.sum()
    sigma = np.sqrt(bar * (1 - bar) / n) if kind == "p" else np.sqrt(bar / n)
    z = (p - bar) / sigma
    sigma_z = np.mean([abs(z[i] - z[i - 1]) for i in range(1, len(z))]) / 1.128
    return bar, 3 * sigma * sigma_z


def test_p_prime_matches_laney_formula() -> None:
    x = np.array([300, 350, 400, 330, 380, 410, 290, 360, 370, 390, 340, 360, 700.0])
    n = np.array([1000, 1200, 1100, 1050, 1300, 1250, 980, 1150, 1200, 1190, 1000, 1100, 1120.0])
    bar, half = _laney_by_hand(x, n, "p")
    result = spc.p_prime(x, n, multiplier=100)
    assert_close(result.mean, np.full(n.size, bar * 100), what="mean")
    assert_close(result.lpl, (bar - half) * 100, what="lpl")
    assert_close(result.upl, (bar + half) * 100, what="upl")
    assert_close(result.values, x / n * 100, what="values")
    assert result.special_cause_type[-1] == "Above UCL"
    assert result.chart == "p_prime"


def test_p_prime_limits_stay_within_zero_and_one() -> None:
    result = spc.p_prime([0, 9, 1, 10, 0, 10], [10, 10, 10, 10, 10, 10])
    assert (result.lpl >= 0).all() and (result.upl <= 1).all()


def test_u_prime_matches_laney_formula_and_zero_denominator_is_missing() -> None:
    x = np.array([12, 15, 9, 14, 11, 30, 13, 10.0])
    n = np.array([1000, 1400, 800, 1200, 1000, 1300, 1100, 900.0])
    bar, half = _laney_by_hand(x, n, "u")
    result = spc.u_prime(x, n)
    assert_close(result.upl, bar + half, what="upl")
    assert_close(result.lpl, np.maximum(bar - half, 0), what="lpl")
    gapped = spc.u_prime([*x, 3], [*n, 0])
    assert np.isnan(gapped.values[-1])
    assert any("zero denominator" in w for w in gapped.warnings)


def test_c_chart_limits() -> None:
    counts = [3, 1, 0, 2, 4, 2, 1, 3, 2, 0, 1, 2, 12]
    cbar = np.mean(counts)
    result = spc.c_chart(counts, improvement="decrease")
    assert result.mean[0] == pytest.approx(cbar)
    assert result.upl[0] == pytest.approx(cbar + 3 * np.sqrt(cbar))
    assert result.lpl[0] == 0.0
    assert result.point_type[-1] == "special_cause_concern"


def test_run_chart_uses_the_median_and_has_no_limits() -> None:
    values = [1, 9, 2, 8, 3, 7, 4, 6, 5, 6, 6, 6, 6, 6, 6, 6]
    result = spc.run_chart(values)
    assert result.mean[0] == 6.0
    assert np.isnan(result.lpl).all() and np.isnan(result.upl).all()
    assert result.assurance is None
    rising = spc.run_chart(list(range(10)))
    assert rising.special_cause_type.tolist() == ["7 Point Trend (Increasing)"] * 10


# --------------------------------------------------------------------------- periods & summary


def test_periods_accept_dates_strings_and_datetime64() -> None:
    values = [1.0, 2.0, 3.0]
    as_strings = spc.xmr(values, periods=["2026-01", "2026-02", "2026-03"]).periods
    as_dates = spc.xmr(values, periods=[dt.date(2026, m, 1) for m in (1, 2, 3)]).periods
    as_np = spc.xmr(values, periods=np.arange("2026-01", "2026-04", dtype="datetime64[M]")).periods
    assert as_strings is not None and as_dates is not None and as_np is not None
    np.testing.assert_array_equal(as_strings, as_dates)
    np.testing.assert_array_equal(as_strings, as_np)


def test_gap_in_monthly_periods_is_warned() -> None:
    months = [f"2025-{m:02d}" for m in range(1, 13) if m != 6] + ["2026-01", "2026-02"]
    result = spc.xmr(np.arange(len(months)) % 3, periods=months)
    assert any("gap" in w and "May 2025 to July 2025" in w for w in result.warnings)
    regular = spc.xmr([1.0, 2.0, 3.0, 2.0], periods=["2025-01", "2025-02", "2025-03", "2025-04"])
    assert not any("gap" in w for w in regular.warnings)


def test_summary_of_a_shift() -> None:
    months = [f"{2025 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(1, 24)]
    values = [11, 10] * 8 + [10.8] * 7
    result = spc.xmr(values, improvement="decrease", periods=months)
    icon, sentence = spc.summary(result)
    assert icon == "special_cause_concern_high"
    assert sentence == "Special cause concern: 7 points above the mean since May 2026."


def test_summary_icons_and_sentences() -> None:
    stable = spc.xmr([10, 11] * 8, target=5)
    icon, sentence = spc.summary(stable)
    assert icon == "common_cause"
    assert sentence.startswith("Common cause variation")
    assert "the target will consistently be met (target 5)" in sentence

    low = spc.xmr([10, 11] * 8 + [2], improvement="increase")
    assert spc.summary(low)[0] == "special_cause_concern_low"
    assert "below the lower process limit" in spc.summary(low)[1]

    falling = spc.xmr(
        [10, 11] * 8 + [13, 12.5, 12, 11.5, 11, 10.5, 10, 9.5], improvement="decrease"
    )
    icon, sentence = spc.summary(
        falling, periods=[dt.date(2026, 1, 5) + dt.timedelta(7 * i) for i in range(24)]
    )
    assert icon == "special_cause_improvement_low"
    assert sentence == "Special cause improvement: 8 points falling since 27 April 2026."

    neutral = spc.xmr([10, 11] * 8 + [30], improvement="neutral")
    assert spc.summary(neutral)[0] == "special_cause_neutral_high"


def test_to_records_is_json_ready() -> None:
    result = spc.xmr([1.0, None, 3.0], periods=["2026-01", "2026-02", "2026-03"])
    records = result.to_records()
    assert records[1]["value"] is None
    assert records[0]["period"] == dt.date(2026, 1, 1)
    json.dumps(records, default=str)


def test_module_example_runs() -> None:
    assert doctest.testmod(spc).failed == 0


def test_xmr_many_accepts_plain_lists_with_none() -> None:
    many = spc.xmr_many(["a", "a", "a", "b"], [1.0, None, 3.0, 4.0])
    assert np.isnan(many.values[1])
    assert many.point_type[1] == "common_cause"
    assert any("1 missing value(s)" in w for w in many.warnings)


def test_mean_is_computed_as_r_does_so_decimal_ties_stay_ties() -> None:
    """These values average exactly 5.0 in decimal, which R's long-double mean finds; a plain
    double sum gives 5.000000000000001 and would put the 5.0 below the mean."""
    values = [0.0, 6.0, 9.1, 6.6, 8.9, 3.5, 9.7, 0.4, 5.0, 7.2, 3.8, 4.8, 2.2, 6.4, 2.9, 3.6, 2.5]
    values.append(7.4)
    assert sum(values) / len(values) != 5.0
    result = spc.xmr(values)
    assert result.mean[0] == 5.0
    many = spc.xmr_many(["x"] * len(values), values)
    assert many.mean[0] == 5.0
