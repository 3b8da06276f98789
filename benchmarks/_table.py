"""Shared helpers for the benchmark scripts: timing and the printed table."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One measured benchmark row."""

    name: str
    measured: float
    target: float | None
    unit: str = "s"
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "-"
        better_high = self.unit.endswith("/s")
        ok = self.measured >= self.target if better_high else self.measured <= self.target
        return "PASS" if ok else "FAIL"


def best_of(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """Best wall-clock seconds over `repeat` calls (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def print_table(rows: Iterable[Result]) -> None:
    rows = list(rows)
    header = ("benchmark", "measured", "target", "result", "note")
    body = [
        (
            r.name,
            f"{r.measured:,.3f} {r.unit}",
            "-"
            if r.target is None
            else f"{'>=' if r.unit.endswith('/s') else '<='} {r.target:,.3f} {r.unit}",
            r.verdict,
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body, strict=True)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for b in body:
        print(line.format(*b))
