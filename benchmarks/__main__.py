"""Run every benchmark and print one table: `./dev bench` (or `python -m benchmarks`).

`python -m benchmarks NAME …` runs only the named modules (e.g. `stats_spc`).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from benchmarks._table import Result, print_table


def _available() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def _parser(available: list[str]) -> argparse.ArgumentParser:
    lines = []
    for name in available:
        doc = (importlib.import_module(f"benchmarks.{name}").__doc__ or "").strip()
        lines.append(f"  {name:<22} {doc.splitlines()[0] if doc else ''}")
    return argparse.ArgumentParser(
        prog="./dev bench",
        description="Run the benchmarks and print one table of measured against target; "
        "exit 1 if any target is missed.",
        epilog="benchmarks:\n" + "\n".join(lines),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def main(argv: list[str]) -> int:
    available = _available()
    parser = _parser(available)
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    names = parser.parse_args(argv).names
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
