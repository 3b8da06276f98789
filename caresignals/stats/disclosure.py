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

__all__ = ["Disclosed", "control_count", "control_counts", "control_table"]

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
