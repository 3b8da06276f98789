"""Disclosure control for published counts of people (docs/domain.md, "Disclosure control").

The NHS convention for sub-national counts: 0 is shown as 0, counts from 1 up to
``threshold - 1`` (1–7 with the usual threshold of 8) are suppressed, and every other count is
rounded to the nearest ``base`` (5). Suppression alone is not enough when totals are shown:
a suppressed cell could be recovered by subtracting the other cells from the total. So

* totals are computed from the true counts and then pass through the same rule (rounded, or
  suppressed when small), never summed from the shown cells;
* when a row (or column) whose total is shown has exactly one suppressed cell, the smallest
  other non-zero cell in it is suppressed too ("secondary suppression"), repeated until no
  protected line has a lone suppressed cell.

Pure numpy; no Django, so any domain (and a notebook) can use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from caresignals.stats._validate import ArrayLike, FloatArray

__all__ = [
    "Disclosed",
    "Equation",
    "LinkedDisclosed",
    "control_count",
    "control_counts",
    "control_linked",
    "control_table",
    "determined",
]

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Disclosed:
    """A table of counts made safe to show.

    ``values`` holds what may be shown (rounded; NaN where suppressed); ``suppressed`` marks every
    hidden cell and ``primary`` the ones hidden for being small (the rest protect them).
    Totals are NaN where suppressed.
    """

    values: FloatArray
    suppressed: BoolArray
    primary: BoolArray
    row_totals: FloatArray
    column_totals: FloatArray
    total: float


def _counts(counts: ArrayLike, ndim: int | None = None) -> FloatArray:
    x = np.asarray(counts, dtype=np.float64)
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"counts must be a {ndim}-dimensional array, got {x.ndim} dimensions")
    if not np.all(np.isfinite(x)):
        raise ValueError("counts must be finite numbers (no NaN or infinity)")
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("counts must be whole numbers, 0 or more")
    return x


def _check_rule(threshold: int, base: int) -> None:
    if int(threshold) != threshold or threshold < 1:
        raise ValueError(f"threshold must be a whole number of 1 or more, got {threshold!r}")
    if int(base) != base or base < 1:
        raise ValueError(f"base must be a whole number of 1 or more, got {base!r}")


def control_counts(counts: ArrayLike, *, threshold: int = 8, base: int = 5) -> FloatArray:
    """Each count on its own: 0 stays 0, 1 to ``threshold - 1`` become NaN (suppressed),
    the rest are rounded to the nearest ``base`` (halves up). Any shape; floats out."""
    _check_rule(threshold, base)
    x = _counts(counts)
    rounded = np.floor(x / base + 0.5) * base
    shown = np.where((x >= 1) & (x < threshold), np.nan, rounded)
    return np.asarray(shown, dtype=np.float64)


def control_count(count: float, *, threshold: int = 8, base: int = 5) -> int | None:
    """One count as it may be shown: 0 stays 0, 1 to ``threshold - 1`` give None (suppressed),
    the rest are rounded to the nearest ``base`` (halves up). A count that arrives as a float
    (a sum of weights or of a numpy array) is first taken to the nearest whole number."""
    whole = round(count)
    shown = control_counts(np.array([whole], dtype=np.float64), threshold=threshold, base=base)
    value = float(shown[0])
    return None if math.isnan(value) else int(value)


def _protect_lines(x: FloatArray, mask: BoolArray) -> bool:
    """One pass over the rows of `x`: where a row has exactly one hidden cell, hide the
    smallest other non-zero cell. Changes `mask` in place (it may be a transposed view)."""
    lone = mask.sum(axis=1) == 1
    if not lone.any():
        return False
    candidates = np.where(~mask & (x > 0), x, np.inf)
    pick = np.argmin(candidates, axis=1)
    rows = np.arange(x.shape[0])
    usable = lone & np.isfinite(candidates[rows, pick])
    if not usable.any():
        return False
    mask[rows[usable], pick[usable]] = True
    return True


def control_table(
    counts: ArrayLike,
    *,
    threshold: int = 8,
    base: int = 5,
    protect_rows: bool = True,
    protect_columns: bool = True,
) -> Disclosed:
    """A two-dimensional table of counts, with its row, column and grand totals, made safe.

    Set ``protect_rows`` (``protect_columns``) to False only for lines whose total is never
    shown and whose cells do not add up to anything shown (for example, overlapping
    categories); secondary suppression is then not needed along them.
    """
    _check_rule(threshold, base)
    x = _counts(counts, ndim=2)
    primary = (x >= 1) & (x < threshold)
    mask = primary.copy()
    changed = True
    while changed:
        changed = False
        if protect_rows:
            changed |= _protect_lines(x, mask)
        if protect_columns:
            changed |= _protect_lines(x.T, mask.T)
    values = control_counts(x, threshold=threshold, base=base)
    values[mask] = np.nan
    return Disclosed(
        values=values,
        suppressed=mask,
        primary=primary,
        row_totals=control_counts(x.sum(axis=1), threshold=threshold, base=base),
        column_totals=control_counts(x.sum(axis=0), threshold=threshold, base=base),
        total=float(control_counts(np.array([x.sum()]), threshold=threshold, base=base)[0]),
    )


# --------------------------------------------------------------------------- linked tables
#
# A release publishes one figure (an indicator's count for a month) in several breakdowns:
# by provider, by place, with a total. The tables are linked: each place is the sum of its
# providers, and every breakdown adds up to the same total. Protecting each table on its own
# is not enough (a lone suppressed provider in a place is the place's shown value minus its
# other providers), so the cells of every breakdown of one figure are protected together.


@dataclass(frozen=True)
class Equation:
    """A published sum: the cell at ``total`` equals the sum of the cells at ``parts``
    (indices into one flat vector of every cell of a figure's tables)."""

    total: int
    parts: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class LinkedDisclosed:
    """Every cell of a figure's linked tables made safe to show, in the order given.

    ``values`` holds what may be shown (rounded; NaN where suppressed); ``suppressed`` marks
    every hidden cell, ``primary`` those hidden for being small."""

    values: FloatArray
    suppressed: BoolArray
    primary: BoolArray

    @property
    def secondary(self) -> BoolArray:
        return np.asarray(self.suppressed & ~self.primary)


def _equation_matrix(size: int, equations: tuple[Equation, ...]) -> FloatArray:
    matrix = np.zeros((len(equations), size), dtype=np.float64)
    for row, equation in enumerate(equations):
        for part in equation.parts:
            matrix[row, part] += 1.0
        matrix[row, equation.total] -= 1.0
    return matrix


def determined(
    suppressed: ArrayLike, equations: tuple[Equation, ...] | list[Equation]
) -> BoolArray:
    """Which suppressed cells a reader could work out exactly by combining the published sums.

    The reader is assumed to know every shown cell exactly (stronger than the rounded values
    published) and to add and subtract any of the sums. A hidden cell is worked out when every
    way of changing the hidden cells that keeps all the sums true leaves it unchanged: when its
    component of every vector in the null space of the sums (restricted to the hidden cells)
    is zero."""
    hidden = np.asarray(suppressed, dtype=np.bool_)
    eqs = tuple(equations)
    for equation in eqs:
        for index in (equation.total, *equation.parts):
            if not 0 <= index < hidden.size:
                raise ValueError(f"equation refers to cell {index}, outside 0–{hidden.size - 1}")
    result = np.zeros(hidden.size, dtype=np.bool_)
    unknown = np.flatnonzero(hidden)
    if unknown.size == 0:
        return result
    if not eqs:
        return result
    matrix = _equation_matrix(hidden.size, eqs)[:, unknown]
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    rank = int(np.sum(singular > 1e-9 * max(1.0, float(singular.max(initial=0.0)))))
    null = vt[rank:].T  # columns span the ways the hidden cells may move together
    if null.shape[1] == 0:
        result[unknown] = True
        return result
    fixed = np.all(np.abs(null) < 1e-9, axis=1)
    result[unknown[fixed]] = True
    return result


def _cover(
    x: FloatArray,
    mask: BoolArray,
    cell: int,
    equations: tuple[Equation, ...],
    among: list[Equation],
) -> int | None:
    """The cell to hide so that `cell` can no longer be worked out: the smallest non-zero
    shown cell in the sums `among` that protects it (a part before a total on a tie), or the
    smallest of them when no single one does."""
    keys: set[tuple[float, int, int]] = set()
    for equation in among:
        for index, is_total in [*((p, 0) for p in equation.parts), (equation.total, 1)]:
            if not mask[index] and x[index] > 0:
                keys.add((float(x[index]), is_total, index))
    ordered = sorted(keys)
    for _size, _is_total, index in ordered:
        trial = mask.copy()
        trial[index] = True
        if not determined(trial, equations)[cell]:
            return index
    return ordered[0][2] if ordered else None


def control_linked(
    counts: ArrayLike,
    equations: tuple[Equation, ...] | list[Equation],
    *,
    threshold: int = 8,
    base: int = 5,
) -> LinkedDisclosed:
    """Cells linked by published sums (one figure's breakdowns and totals), made safe together.

    Small counts (1 to ``threshold - 1``) are hidden; then, while any hidden cell could be
    worked out from the sums (:func:`determined`), the smallest non-zero shown cell in a sum
    that contains it is hidden too (a part before a total when they tie). Zeros stay shown:
    a zero reveals nothing about anyone. The rest are rounded to the nearest ``base``."""
    _check_rule(threshold, base)
    x = _counts(counts, ndim=1)
    eqs = tuple(equations)
    primary = (x >= 1) & (x < threshold)
    mask = primary.copy()
    while True:
        leaking = np.flatnonzero(determined(mask, eqs))
        if leaking.size == 0:
            break
        cell = int(leaking[0])
        best = _cover(x, mask, cell, eqs, [e for e in eqs if cell in (*e.parts, e.total)])
        if best is None:  # its own sums hold only hidden cells and zeros: widen the search
            best = _cover(x, mask, cell, eqs, [e for e in eqs if mask[[*e.parts, e.total]].any()])
        if best is None:
            raise ValueError(
                f"cell {cell} can be worked out from the sums and no non-zero shown cell is "
                "left to hide beside it"
            )
        mask[best] = True
    values = control_counts(x, threshold=threshold, base=base)
    values[mask] = np.nan
    return LinkedDisclosed(values=values, suppressed=mask, primary=primary)
