"""The watchlist judged on simulated regions against three calibrated baselines (issue 15).

Draws the full size of `caresignals evaluate` (many regions in memory, seeded), prints its
table, and reports the issue's aim as rows: false entries per 100 services a year (under 5)
and the share of a 40 % reporting fall with a doubled harm share not listed within 3 months
(at most 10 %). `CARESIGNALS_EVALUATE_REGIONS` sets fewer regions for a quick look.
"""

from __future__ import annotations

import os
import sys

from benchmarks._table import Result


def run() -> list[Result]:
    from benchmarks.signals import _django

    _django()
    from caresignals.signals.evaluation import run as evaluation

    size = evaluation.SIZES["full"]
    regions = os.environ.get("CARESIGNALS_EVALUATE_REGIONS")
    if regions:
        size = evaluation.Size(int(regions), size.services)
    outcome = evaluation.evaluate(size)
    print(evaluation.table(outcome), file=sys.stderr)
    aim = evaluation.headline(outcome)
    rows = [
        Result(
            name=f"watchlist false entries, {size.regions} regions",
            measured=aim["false_rate"],
            target=5.0,
            unit="/100 services/yr",
        )
    ]
    for m in evaluation.METHODS:
        rows.append(
            Result(
                name=f"40 % fall + harm share ×2 missed by month 3: {m}",
                measured=1 - aim[f"within_3:{m}"],
                target=0.1 if m == evaluation.WATCHLIST else None,
                unit="share",
                note=f"{aim['draws']:.0f} draws",
            )
        )
    rows.append(Result(name="evaluation run time", measured=outcome.seconds, target=None))
    return rows


if __name__ == "__main__":
    from benchmarks._table import print_table

    print_table(run())
