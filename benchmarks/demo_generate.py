"""Time to generate the synthetic region: small (the demo's budget is a few seconds) and medium.

python -m benchmarks demo_generate
python -m benchmarks.demo_generate --national     # also stream ~10 M events, no files written
"""

from __future__ import annotations

import argparse
import os
import time

from benchmarks._table import Result, print_table


def _django() -> None:
    """The generator returns the organisation services' row types, which need Django set up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caresignals.settings")
    os.environ.setdefault("CARESIGNALS_SECRET_KEY", "benchmark-only")
    import django

    django.setup()


def _time(scale: str) -> tuple[float, int]:
    from caresignals.demo.generator import generate_region

    start = time.perf_counter()
    data = generate_region(scale=scale)
    return time.perf_counter() - start, data.events.num_rows


def _national() -> tuple[float, int]:
    from caresignals.demo.generator import iter_event_batches

    start = time.perf_counter()
    rows = sum(b.num_rows for b in iter_event_batches(scale="national"))
    return time.perf_counter() - start, rows


def run(national: bool = False) -> list[Result]:
    _django()
    results = []
    for scale, target in (("small", 3.0), ("medium", 30.0)):
        seconds, rows = _time(scale)
        results.append(Result(f"generate_region {scale}", seconds, target, note=f"{rows:,} events"))
    if national:
        seconds, rows = _national()
        results.append(
            Result("iter_event_batches national", seconds, 300.0, note=f"{rows:,} events")
        )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--national", action="store_true", help="also time the national scale")
    print_table(run(parser.parse_args().national))
