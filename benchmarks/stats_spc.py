"""SPC benchmarks: XmR charts for a whole system's indicators in one call.

Run from the repository root with ``python -m benchmarks.stats_spc``.
"""

from __future__ import annotations

import numpy as np

from benchmarks._table import Result, best_of, print_table
from caresignals.stats import spc

SERIES = 10_000
POINTS = 60


def _table(seed: int = 20260301) -> tuple[np.ndarray, np.ndarray]:
    """10,000 monthly series of 60 points, with shifts, trends and a few missing values."""
    rng = np.random.default_rng(seed)
    values = rng.normal(100.0, 10.0, (SERIES, POINTS)).round(1)
    values[::7, 40:] += 15.0  # a step change in one series in seven
    values[::11, 30:40] += np.linspace(0.0, 30.0, 10)  # a trend in one in eleven
    values[rng.random((SERIES, POINTS)) < 0.002] = np.nan
    labels = np.repeat(np.array([f"RX{i:05d}" for i in range(SERIES)]), POINTS)
    return labels, values.ravel()


def run() -> list[Result]:
    labels, values = _table()
    spc.xmr_many(labels, values, target=95.0)  # warm up
    seconds = best_of(lambda: spc.xmr_many(labels, values, target=95.0), repeat=5)
    one = values[:POINTS]
    single = best_of(lambda: spc.xmr(one, target=95.0), repeat=50)
    return [
        Result(
            name=f"spc.xmr_many {SERIES:,} series x {POINTS} points",
            measured=seconds,
            target=0.9,
            note="NHSRplotthedots 177 s",
        ),
        Result(
            name=f"spc.xmr one series of {POINTS} points",
            measured=single * 1000,
            target=None,
            unit="ms",
        ),
    ]


if __name__ == "__main__":
    print_table(run())
