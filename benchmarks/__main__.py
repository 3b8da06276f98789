"""Run every benchmark and print one table: `./dev bench` (or `python -m benchmarks`).

`python -m benchmarks NAME …` runs only the named modules (e.g. `stats_spc`).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from benchmarks._table import Result, print_table


def main(names: list[str]) -> int:
    here = Path(__file__).parent
    available = sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_")
    )
    chosen = names or available
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
        return 2
    rows: list[Result] = []
    for name in chosen:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name} …", file=sys.stderr)
        rows.extend(module.run())
    print_table(rows)
    return 1 if any(r.verdict == "FAIL" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
