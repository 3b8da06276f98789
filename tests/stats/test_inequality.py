"""caresignals.stats.inequality against PHEindicatormethods 2.1.0 and on its own terms."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from caresignals.stats import inequality
from tests.stats import reference

RTOL = reference.RTOL
REPS = 2000  # enough for a stable test, small enough to be quick
VALUE_TYPES = {0: "normal", 1: "rate", 2: "proportion"}


load_cases = reference.params


@pytest.mark.parametrize("case", load_cases("sii.json", "phe_sii"))
def test_sii_point_estimates_match_reference(case: dict[str, Any]) -> None:
    args, inputs, expected = case["args"], case["inputs"], case["expected"]
    confidences = (
        args["confidence"] if isinstance(args["confidence"], list) else [args["confidence"]]
    )
    for level in confidences:
        result = inequality.sii(
            inputs["quantile"],
            inputs["population"],
            inputs.get("value"),
            value_type=VALUE_TYPES[args["value_type"]],
            se=inputs.get("se"),
            lower=inputs.get("lower_cl"),
            upper=inputs.get("upper_cl"),
            x=inputs.get("x"),
            multiplier=args["multiplier"],
            transform=args["transform"],
            confidence=level,
            repetitions=REPS,
            seed=1,
            group=inputs.get("area"),
        )
        labels = [str(g) for g in result.group]
        order = [labels.index(a) for a in expected["area"]]
        for column in ("sii", "rii", "intercept"):
            if column in expected:
                np.testing.assert_allclose(
                    np.asarray(getattr(result, column))[order],
                    expected[column],
                    rtol=RTOL,
                    atol=0,
                    err_msg=column,
                )
        # simulated limits: defined and ordered
        assert np.all(np.asarray(result.sii_lower) <= np.asarray(result.sii_upper))
        assert np.all(np.asarray(result.rii_lower) <= np.asarray(result.rii_upper))


DECILES = np.arange(1, 11)
POP = np.array([7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534], dtype=float)
LE = np.array([75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3])
SE = np.array([1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57])
PREV = np.array([0.28, 0.26, 0.25, 0.24, 0.23, 0.22, 0.21, 0.2, 0.19, 0.18])


def test_sii_is_the_weighted_regression_slope() -> None:
    result = inequality.sii(DECILES, POP, LE, se=SE, repetitions=0)
    share = POP / POP.sum()
    rank = np.cumsum(share) - share / 2
    slope, intercept = np.polyfit(rank, LE, 1, w=np.sqrt(share))
    assert result.sii == pytest.approx(slope, rel=1e-10)
    assert result.intercept == pytest.approx(intercept, rel=1e-10)
    assert result.rii == pytest.approx((intercept + slope) / intercept, rel=1e-10)
    assert math.isnan(result.sii_lower) and math.isnan(result.rii_upper)


def test_sii_limits_bracket_the_estimate_and_are_reproducible() -> None:
    first = inequality.sii(DECILES, POP, LE, se=SE, repetitions=REPS, seed=42)
    again = inequality.sii(DECILES, POP, LE, se=SE, repetitions=REPS, seed=42)
    other = inequality.sii(DECILES, POP, LE, se=SE, repetitions=REPS, seed=43)
    assert first.sii_lower < first.sii < first.sii_upper
    assert first.rii_lower < first.rii < first.rii_upper
    assert (first.sii_lower, first.sii_upper) == (again.sii_lower, again.sii_upper)
    assert (first.rii_lower, first.rii_upper) == (again.rii_lower, again.rii_upper)
    assert first.sii_lower != other.sii_lower


def test_sii_limits_from_se_and_from_95_limits_agree() -> None:
    z = 1.959963984540054
    from_se = inequality.sii(DECILES, POP, LE, se=SE, repetitions=REPS, seed=7)
    from_cl = inequality.sii(
        DECILES, POP, LE, lower=LE - z * SE, upper=LE + z * SE, repetitions=REPS, seed=7
    )
    assert from_cl.sii == pytest.approx(from_se.sii)
    assert from_cl.sii_lower == pytest.approx(from_se.sii_lower, rel=1e-9)


def test_sii_higher_confidence_gives_wider_limits() -> None:
    narrow = inequality.sii(DECILES, POP, LE, se=SE, confidence=0.95, repetitions=REPS, seed=3)
    wide = inequality.sii(DECILES, POP, LE, se=SE, confidence=99.8, repetitions=REPS, seed=3)
    assert wide.sii_lower < narrow.sii_lower and wide.sii_upper > narrow.sii_upper


def test_sii_negative_multiplier_flips_sii_and_inverts_rii() -> None:
    plain = inequality.sii(DECILES, POP, LE, se=SE, repetitions=REPS, seed=5)
    flipped = inequality.sii(DECILES, POP, LE, se=SE, multiplier=-1, repetitions=REPS, seed=5)
    assert flipped.sii == pytest.approx(-plain.sii)
    assert flipped.rii == pytest.approx(1 / plain.rii)
    # the same draws, mirrored (R's order-statistic positions differ by one at the far end)
    assert flipped.sii_lower == pytest.approx(-plain.sii_upper, rel=0.01)
    assert flipped.sii_upper == pytest.approx(-plain.sii_lower, rel=0.01)
    assert flipped.intercept == plain.intercept


def test_sii_proportion_from_counts_equals_values() -> None:
    x = np.round(PREV * POP)
    lower, upper = PREV - 0.01, PREV + 0.01
    from_x = inequality.sii(
        DECILES, POP, x=x, value_type="proportion", lower=lower, upper=upper, repetitions=0
    )
    from_values = inequality.sii(
        DECILES, POP, x / POP, value_type="proportion", lower=lower, upper=upper, repetitions=0
    )
    assert from_x.sii == from_values.sii


@pytest.mark.parametrize("value_type", ["rate", "proportion"])
@pytest.mark.parametrize("multiplier", [100, -100])
def test_sii_transformed_limits_are_ordered(value_type: str, multiplier: int) -> None:
    values = PREV if value_type == "proportion" else PREV * 1000
    result = inequality.sii(
        DECILES,
        POP,
        values,
        value_type=value_type,
        lower=values * 0.9,
        upper=values * 1.1,
        transform=True,
        multiplier=multiplier,
        repetitions=REPS,
        seed=11,
    )
    assert result.sii_lower < result.sii < result.sii_upper
    assert result.rii_lower < result.rii < result.rii_upper
    assert result.intercept > 0


def test_sii_grouped_matches_one_area_at_a_time_and_drops_incomplete_areas() -> None:
    quantile = np.concatenate([DECILES, DECILES, DECILES[:9]])
    pop = np.concatenate([POP, POP[::-1], POP[:9]])
    value = np.concatenate([LE, LE - 2, LE[:9]])
    se = np.concatenate([SE, SE, SE[:9]])
    area = np.repeat(["A", "B", "C"], [10, 10, 9])
    grouped = inequality.sii(quantile, pop, value, se=se, group=area, repetitions=0)
    assert list(grouped.group) == ["A", "B", "C"]
    alone = inequality.sii(DECILES, POP[::-1], LE - 2, se=SE, repetitions=0)
    assert grouped.sii[1] == pytest.approx(alone.sii)
    assert math.isnan(grouped.sii[2])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantile": [], "population": [], "value": [], "se": []}, "quantile must not be empty"),
        ({"quantile": DECILES, "population": -POP, "value": LE, "se": SE}, "population"),
        ({"quantile": DECILES, "population": POP[:9], "value": LE, "se": SE}, "same length"),
        ({"quantile": DECILES, "population": POP, "value": LE}, "se, or both lower and upper"),
        ({"quantile": DECILES, "population": POP, "value": LE, "se": -SE}, "se must be"),
        ({"quantile": DECILES, "population": POP, "se": SE}, "value is required"),
        (
            {"quantile": DECILES, "population": POP, "value": LE, "se": SE, "transform": True},
            "transform",
        ),
        (
            {
                "quantile": DECILES,
                "population": POP,
                "value": PREV,
                "se": SE,
                "value_type": "proportion",
                "transform": True,
            },
            "not se",
        ),
        (
            {"quantile": DECILES, "population": POP, "value": LE, "se": SE, "value_type": "mean"},
            "value_type",
        ),
        (
            {"quantile": DECILES, "population": POP, "value": LE, "se": SE, "confidence": 0},
            "confidence",
        ),
        (
            {"quantile": DECILES, "population": POP, "value": LE, "se": SE, "repetitions": -1},
            "repetitions",
        ),
        (
            {"quantile": DECILES, "population": POP, "value": LE * 2, "se": SE, "value_type": 2},
            "between 0 and 1",
        ),
        (
            {"quantile": np.ones(10), "population": POP, "value": LE, "se": SE},
            "each quantile must appear once",
        ),
    ],
)
def test_sii_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        inequality.sii(**kwargs)
