"""Funnel-plot benchmark: Spiegelhalter limits for 10,000 units.

Run from the repository root: ``python -m benchmarks.stats_funnels``.
"""

from __future__ import annotations

import numpy as np

from benchmarks._table import Result, best_of, print_table
from caresignals.stats import funnels

UNITS = 10_000
TARGET = 0.06


def _units(seed: int = 20240601) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected deaths, overdispersed observed deaths, and a proportion denominator."""
    rng = np.random.default_rng(seed)
    expected = rng.uniform(20, 3000, UNITS)
    true_ratio = rng.lognormal(0, 0.08, UNITS)
    observed = rng.poisson(expected * true_ratio).astype(float)
    return observed, expected, np.round(expected)


def run() -> list[Result]:
    observed, expected, population = _units()
    events = np.minimum(observed, population) * 0.3
    cases = [
        ("SR SHMI, overdispersed", lambda: funnels.spiegelhalter(observed, expected)),
        (
            "SR SHMI, unadjusted (exact Poisson)",
            lambda: funnels.spiegelhalter(observed, expected, overdispersion=False),
        ),
        (
            "PR, overdispersed",
            lambda: funnels.spiegelhalter(np.round(events), population, data_type="PR"),
        ),
    ]
    return [
        Result(
            name=f"funnels.spiegelhalter {UNITS:,} units: {label}",
            measured=best_of(call),
            target=TARGET,
            note="FunnelPlotR 0.116 s",
        )
        for label, call in cases
    ]


if __name__ == "__main__":
    print_table(run())
