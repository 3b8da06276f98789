"""Funnel plots against the reference R packages (tests/stats/reference/funnels.json).

Every FunnelPlotR ``funnel_plot`` and PHEindicatormethods ``assign_funnel_significance``
case must pass to 1e-9 relative, labels exactly. PHE's ``calculate_funnel_limits`` cases
are informative (PHE draw their own curves on their own axis grid); the parts that share
a method with ``funnels.significance`` are checked here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import special

from caresignals.stats import funnels
from caresignals.stats.funnels import _poisson_bound, _wilson_funnel
from tests.stats import reference

RTOL = reference.RTOL

CASES = reference.load("funnels.json")


def _cases(function: str) -> list[Any]:
    return [pytest.param(c, id=c["name"]) for c in CASES if c["function"] == function]


def _close(actual: Any, expected: Any, *, rtol: float = RTOL) -> None:
    expected = np.array([np.nan if v is None else v for v in np.atleast_1d(expected)], float)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0, equal_nan=True)


# --- FunnelPlotR funnel_plot --------------------------------------------------------------

FUNNEL_PLOT = _cases("FunnelPlotR::funnel_plot")
LIMITS = (
    ("lower95", "OD95LCL", "LCL95", "ll95"),
    ("upper95", "OD95UCL", "UCL95", "ul95"),
    ("lower998", "OD99LCL", "LCL99", "ll998"),
    ("upper998", "OD99UCL", "UCL99", "ul998"),
)


def _spiegelhalter(case: dict[str, Any]) -> funnels.Funnel:
    args = case["args"]
    return funnels.spiegelhalter(
        case["inputs"]["numerator"],
        case["inputs"]["denominator"],
        data_type=args["data_type"],
        limit=args["limit"],
        overdispersion=args["draw_adjusted"],
        sr_method=args.get("sr_method", "SHMI"),
        trim_by=args["trim_by"],
        multiplier=args["multiplier"],
        shmi_rounding=args.get("SHMI_rounding", True),
    )


def _in_r_order(case: dict[str, Any]) -> np.ndarray:
    """Indices of our units in the order of FunnelPlotR's rows (it sorts by group)."""
    groups = case["inputs"]["group"]
    assert len(set(groups)) == len(groups), "cases are one row per unit"
    position = {g: i for i, g in enumerate(groups)}
    return np.array([position[g] for g in case["expected"]["providers"]["group"]])


@pytest.mark.parametrize("case", FUNNEL_PLOT)
def test_funnel_plot_dispersion(case: dict[str, Any]) -> None:
    result = _spiegelhalter(case)
    expected = case["expected"]
    _close(result.phi, expected["phi"])
    _close(result.tau2, expected["tau2"])
    assert result.adjusted is expected["draw_adjusted"]


@pytest.mark.parametrize("case", FUNNEL_PLOT)
def test_funnel_plot_units(case: dict[str, Any]) -> None:
    result = _spiegelhalter(case)
    rows = case["expected"]["providers"]
    order = _in_r_order(case)
    multiplier = case["args"]["multiplier"]
    _close(result.ratio[order], np.array(rows["rr"]) * multiplier)
    # z-scores pass through zero, where a relative tolerance means nothing.
    np.testing.assert_allclose(result.z[order], rows["Uzscore"], rtol=RTOL, atol=1e-12)
    for ours, adjusted, unadjusted, _ in LIMITS:
        column = adjusted if case["expected"]["draw_adjusted"] else unadjusted
        _close(getattr(result, ours)[order], rows[column])


@pytest.mark.parametrize("case", FUNNEL_PLOT)
def test_funnel_plot_outliers(case: dict[str, Any]) -> None:
    result = _spiegelhalter(case)
    rows = case["expected"]["providers"]
    order = _in_r_order(case)
    expected = [
        "" if flag == 0 else ("high" if rr * case["args"]["multiplier"] > result.target else "low")
        for flag, rr in zip(rows["outlier"], rows["rr"], strict=True)
    ]
    assert result.outlier[order].tolist() == expected
    assert np.count_nonzero(result.outlier != "") == case["expected"]["n_outliers"]


@pytest.mark.parametrize("case", FUNNEL_PLOT)
def test_funnel_plot_limits_at(case: dict[str, Any]) -> None:
    """The curve drawn along FunnelPlotR's own lookup grid.

    Proportion limits are repaired point-to-point along the grid, so for those the whole
    grid is used when the case holds it and the sample compared afterwards.
    """
    expected = case["expected"]
    lookup = expected.get("limits_lookup_full", expected["limits_at"])
    sample = expected["limits_at"]
    at = np.searchsorted(lookup["number_seq"], sample["number_seq"])
    curve = _spiegelhalter(case).limits_at(lookup["number_seq"])
    prefix = "od" if expected["draw_adjusted"] else ""
    for ours, _, _, column in LIMITS:
        _close(getattr(curve, ours), lookup[prefix + column])
        _close(getattr(curve, ours)[at], sample[prefix + column])


# --- PHEindicatormethods assign_funnel_significance --------------------------------------

PHE_LABELS = {
    "High (0.001)": "high_998",
    "High (0.025)": "high_95",
    "Not significant": "none",
    "Low (0.025)": "low_95",
    "Low (0.001)": "low_998",
    "Not applicable for events less than 10 for dsrs": "not_applicable",
}


@pytest.mark.parametrize("case", _cases("PHEindicatormethods::assign_funnel_significance"))
def test_assign_funnel_significance(case: dict[str, Any]) -> None:
    args, inputs = case["args"], case["inputs"]
    rate = inputs[args["rate"]] if "rate" in args else None
    labels = funnels.significance(
        inputs["numerator"],
        inputs.get("denominator"),
        statistic=args["statistic"],
        rate=rate,
        rate_type=args.get("rate_type", "dsr"),
        multiplier=args.get("multiplier"),
    )
    assert labels.tolist() == [PHE_LABELS[s] for s in case["expected"]["significance"]]


# --- PHE calculate_funnel_limits (informative) -------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        p
        for p in _cases("PHEindicatormethods::calculate_funnel_limits")
        if p.values[0]["args"]["statistic"] == "proportion"
    ],
)
def test_phe_proportion_limits_share_the_wilson_boundary(case: dict[str, Any]) -> None:
    """PHE's proportion curve is the boundary `significance` judges proportions by."""
    inputs, expected = case["inputs"], case["expected"]
    multiplier = case["args"]["multiplier"]
    average = sum(inputs["numerator"]) / sum(inputs["denominator"])
    n = np.array(expected["Population"], float)
    for column, p, upper in (
        ("lower_2s_limit", 0.975, False),
        ("upper_2s_limit", 0.975, True),
        ("lower_3s_limit", 0.999, False),
        ("upper_3s_limit", 0.999, True),
    ):
        limit = _wilson_funnel(p, n, average, upper=upper) * multiplier
        limit = np.minimum(limit, 100) if upper else np.maximum(limit, 0)
        _close(limit, expected[column])


@pytest.mark.parametrize(
    "case",
    [
        p
        for p in _cases("PHEindicatormethods::calculate_funnel_limits")
        if p.values[0]["args"]["statistic"] == "ratio"
    ],
)
def test_phe_ratio_limits_agree_with_exact_poisson_bounds(case: dict[str, Any]) -> None:
    """Below 10 events `significance` uses exact Poisson bounds; PHE's bisected curve
    agrees with them to about 1e-4."""
    expected = case["expected"]
    obs = np.array(expected["Observed_events"], float)
    small = obs < 10
    for level, upper, column in (
        (0.95, True, "lower_2s_exp_events"),
        (0.95, False, "upper_2s_exp_events"),
        (0.998, True, "lower_3s_exp_events"),
        (0.998, False, "upper_3s_exp_events"),
    ):
        bound = _poisson_bound(obs, level, upper=upper)
        _close(bound[small], np.array(expected[column])[small], rtol=1e-4)


# --- Behaviour the reference cases do not cover ------------------------------------------


def test_rate_significance_is_the_poisson_test_against_the_pooled_rate() -> None:
    """A crude rate's implied denominator is its population, so the rate test is the
    ratio test with expected = population x pooled rate."""
    events = np.array([0, 3, 12, 40, 95, 230, 9, 61.0])
    population = np.array([9000, 21000, 30000, 52000, 80000, 150000, 4000, 90000.0])
    multiplier = 100000
    crude = events / population * multiplier
    pooled = events.sum() / population.sum()
    as_rate = funnels.significance(
        events, population, statistic="rate", rate=crude, rate_type="crude", multiplier=multiplier
    )
    as_ratio = funnels.significance(events, population * pooled, statistic="ratio")
    assert as_rate.tolist() == as_ratio.tolist()


def test_dsr_from_fewer_than_10_events_is_not_applicable() -> None:
    events = [0, 4, 9, 10, 250, 400]
    dsr = [0.0, 50.0, 80.0, 60.0, 140.0, 70.0]
    labels = funnels.significance(
        events, None, statistic="rate", rate=dsr, rate_type="dsr", multiplier=100000
    )
    assert labels[:3].tolist() == ["not_applicable"] * 3
    assert "not_applicable" not in labels[3:].tolist()


def test_ratio_with_no_events_has_a_zero_lower_bound() -> None:
    labels = funnels.significance([0, 0], [0.5, 8.0], statistic="ratio")
    # 0 observed against 8 expected is far below 1; against 0.5 it is unremarkable.
    assert labels.tolist() == ["none", "low_998"]


def test_missing_units_are_left_out() -> None:
    num = [44, 23, np.nan, 64, 11, 80, 120, 35]
    den = [52.5, 25.4, 30.0, 50.4, 25.8, 90.1, 100.2, 30.3]
    result = funnels.spiegelhalter(num, den)
    complete = funnels.spiegelhalter(np.delete(num, 2), np.delete(den, 2))
    assert np.isnan(result.ratio[2]) and np.isnan(result.upper95[2])
    assert result.outlier[2] == ""
    assert result.phi == complete.phi and result.tau2 == complete.tau2
    np.testing.assert_array_equal(np.delete(result.upper95, 2), complete.upper95)


def test_shmi_rounding_touches_z_and_limits_not_the_ratio() -> None:
    num, den = [10, 20, 30, 41, 50, 66], [10.004, 21.996, 27.0, 40.0, 50.0, 60.0]
    rounded = funnels.spiegelhalter(num, den, shmi_rounding=True)
    exact = funnels.spiegelhalter(num, den, shmi_rounding=False)
    np.testing.assert_array_equal(rounded.ratio, exact.ratio)
    assert rounded.z[0] == pytest.approx(np.sqrt(10.0) * np.log(10 / 10.0))
    assert rounded.z[1] == pytest.approx(np.sqrt(22.0) * np.log(20 / 22.0))
    assert rounded.upper95[1] != exact.upper95[1]


def test_round2_follows_r() -> None:
    from caresignals.stats.funnels import _round2

    # 0.145 is stored just below the tie, so R (and we) round it down; x*100 rounding
    # would round it up. 2.675 likewise; 0.125 is an exact tie and goes to even.
    values = np.array([0.145, 2.675, 0.125, 1234.5678, 10.004, 21.996])
    np.testing.assert_array_equal(_round2(values), [0.14, 2.67, 0.12, 1234.57, 10.0, 22.0])


def test_overdispersion_off_reports_phi_but_uses_unadjusted_limits() -> None:
    case = next(c for c in CASES if c["name"] == "fpr_sr_shmi_od_150_trim05")
    on = _spiegelhalter(case)
    args = {**case["args"], "draw_adjusted": False}
    off = _spiegelhalter({**case, "args": args})
    assert on.adjusted and not off.adjusted
    assert off.phi == on.phi and off.tau2 == on.tau2
    n = np.array([50.0])
    assert off.limits_at(n).upper95[0] == pytest.approx(special.gammainccinv(51, 0.025) / 50)
    np.testing.assert_array_equal(off.z_adjusted, off.z)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"numerator": [], "denominator": []}, "numerator"),
        ({"numerator": [1, 2], "denominator": [3.0]}, "same length"),
        ({"numerator": [1, 2], "denominator": [3.0, -1.0]}, "denominator"),
        ({"numerator": [-1, 2], "denominator": [3.0, 4.0]}, "numerator"),
        ({"numerator": [1, 2], "denominator": [3.0, 0.0]}, "denominator"),
        ({"numerator": [5, 2], "denominator": [3, 4], "data_type": "PR"}, "numerator"),
        ({"numerator": [1, 2], "denominator": [3, 4], "data_type": "XX"}, "data_type"),
        ({"numerator": [1, 2], "denominator": [3, 4], "sr_method": "HSMR"}, "sr_method"),
        ({"numerator": [1, 2], "denominator": [3, 4], "limit": 90}, "limit"),
        ({"numerator": [1, 2], "denominator": [3, 4], "trim_by": 0.5}, "trim_by"),
        ({"numerator": [1, 2], "denominator": [3, 4], "multiplier": 0}, "multiplier"),
    ],
)
def test_spiegelhalter_rejects_bad_input(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        funnels.spiegelhalter(**kwargs)


@pytest.mark.parametrize(
    ("args", "kwargs", "argument"),
    [
        (([1, 2], [3, 4]), {"statistic": "mean"}, "statistic"),
        (([1, 2], [3]), {}, "same length"),
        (([5, 2], [3, 4]), {}, "numerator"),
        (([1, 2], [3, 0]), {"statistic": "ratio"}, "denominator"),
        (([-1, 2], [3, 4]), {"statistic": "ratio"}, "numerator"),
        (([1, 2], None), {"statistic": "ratio"}, "denominator"),
        (([1, 2], None), {"statistic": "rate", "multiplier": 100}, "rate"),
        (([1, 2], None), {"statistic": "rate", "rate": [1, 2]}, "multiplier"),
        (
            ([1, 2], None),
            {"statistic": "rate", "rate": [1, 2], "multiplier": 1, "rate_type": "age"},
            "rate_type",
        ),
        (
            ([0, 2], None),
            {"statistic": "rate", "rate": [0, 2], "multiplier": 1, "rate_type": "crude"},
            "denominator",
        ),
    ],
)
def test_significance_rejects_bad_input(
    args: tuple[Any, Any], kwargs: dict[str, Any], argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        funnels.significance(*args, **kwargs)


# --- trimming for a handful of units ------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "shmi", "expected"),
    [(2, True, 0.1), (5, True, 0.2 + 1e-9), (8, False, 1 / 7), (20, True, 0.1), (20, False, 0.1)],
)
def test_trim_sets_aside_at_least_one_unit_each_end(n, shmi, expected):
    assert funnels.trim_for_few_units(n, shmi=shmi) == pytest.approx(expected, abs=1e-12)


def test_trim_stays_below_one_half_and_checks_its_base():
    assert funnels.trim_for_few_units(3, shmi=False) == 0.49
    with pytest.raises(ValueError, match="trim"):
        funnels.trim_for_few_units(10, shmi=True, trim=0.5)
