"""Directly standardised rates for every area at once: 10,000 areas by 19 ESP 2013 age bands.

Run from the repository root: ``python -m benchmarks.stats_dsr``.
"""

from __future__ import annotations

import numpy as np

from benchmarks._table import Result, best_of, print_table
from caresignals.stats import standardise

AREAS = 10_000
BANDS = standardise.ESP2013.size


def _data(seed: int = 2013) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = rng.integers(200, 20_000, size=(AREAS, BANDS)).astype(np.float64)
    base_rate = np.geomspace(2e-4, 0.15, BANDS)  # mortality rising with age
    x = rng.poisson(n * base_rate * rng.uniform(0.6, 1.6, size=(AREAS, 1))).astype(np.float64)
    return {
        "x": x.ravel(),
        "n": n.ravel(),
        "standard_population": standardise.ESP2013,  # reused for every area
        "group": np.repeat(np.array([f"E{i:08d}" for i in range(AREAS)]), BANDS),
    }


def run() -> list[Result]:
    data = _data()

    def compute() -> object:
        return standardise.dsr(
            data["x"], data["n"], data["standard_population"], group=data["group"]
        )

    result = compute()
    assert isinstance(result, standardise.DSRResult) and len(result.value) == AREAS
    return [
        Result(
            name=f"dsr: {AREAS:,} areas x {BANDS} age bands",
            measured=best_of(compute),
            target=0.2,
            note="PHEindicatormethods 2.2 s",
        )
    ]


if __name__ == "__main__":
    print_table(run())
